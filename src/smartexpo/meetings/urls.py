from django.urls import path

from smartexpo.meetings import views

app_name = "meetings"

urlpatterns = [
    path("expos/<slug:expo>/my/<str:token>/meetings/", views.mine, name="mine"),
    path("expos/<slug:expo>/my/<str:token>/meetings.ics", views.mine_ics, name="mine-ics"),
]
