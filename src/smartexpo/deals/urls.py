"""The public deals pages, under `expos/<expo>/deals/` (the root URL conf gives the prefix)."""

from django.urls import path

from smartexpo.deals import views

app_name = "deals"

urlpatterns = [
    path("", views.tally, name="tally"),
    path("list/", views.deal_list, name="list"),
    path("follow-up/", views.follow_up, name="follow-up"),
    path("ceremony/", views.ceremony, name="ceremony"),
    path("<int:pk>/", views.deal, name="deal"),
]
