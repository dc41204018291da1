from django.urls import path

from smartexpo.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("expos/<slug:expo>/", views.expo_home, name="expo-home"),
    path("expos/<slug:expo>/exhibitors/", views.exhibitor_directory, name="exhibitors"),
    path(
        "expos/<slug:expo>/exhibitors/<int:exhibitor_id>/",
        views.exhibitor_detail,
        name="exhibitor",
    ),
    path("expos/<slug:expo>/floor-plan/", views.site_plan, name="site-plan"),
    path("expos/<slug:expo>/halls/<str:code>/", views.hall_plan, name="hall"),
]
