from django.urls import path

from smartexpo.tickets import views

app_name = "tickets"

urlpatterns = [
    path("expos/<slug:expo>/register/", views.register, name="register"),
    path("expos/<slug:expo>/find-my-ticket/", views.find_ticket, name="find-ticket"),
    path("expos/<slug:expo>/waitlist/join/", views.waitlist_join, name="waitlist-join"),
    path("expos/<slug:expo>/waitlist/<str:token>/", views.offer, name="offer"),
    path("expos/<slug:expo>/my/<str:token>/", views.manage, name="manage"),
    path("expos/<slug:expo>/my/<str:token>/cancel/", views.cancel, name="cancel"),
    path("expos/<slug:expo>/my/<str:token>/profile/", views.profile_save, name="profile"),
    path(
        "expos/<slug:expo>/my/<str:token>/tickets/<int:serial>/ticket.pdf",
        views.ticket_pdf,
        name="ticket-pdf",
    ),
]
