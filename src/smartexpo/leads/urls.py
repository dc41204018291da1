from django.urls import path

from smartexpo.leads import views

app_name = "leads"

urlpatterns = [
    path("expos/<slug:expo>/my/<str:token>/leads/", views.mine, name="mine"),
]
