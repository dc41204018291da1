from django.urls import path

from smartexpo.deals import views

app_name = "deals"

urlpatterns = [
    path("expos/<slug:expo>/deals/", views.tally, name="tally"),
    path("expos/<slug:expo>/deals/list/", views.deal_list, name="list"),
    path("expos/<slug:expo>/deals/follow-up/", views.follow_up, name="follow-up"),
    path("expos/<slug:expo>/deals/ceremony/", views.ceremony, name="ceremony"),
    path("expos/<slug:expo>/deals/<int:pk>/", views.deal, name="deal"),
]
