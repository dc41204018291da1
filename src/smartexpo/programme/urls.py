from django.urls import path

from smartexpo.programme.views import agenda, public

app_name = "programme"

urlpatterns = [
    path("expos/<slug:expo>/programme/", public.programme, name="programme"),
    path("expos/<slug:expo>/programme/sessions/<int:pk>/", public.session, name="session"),
    path("expos/<slug:expo>/programme/speakers/", public.speakers, name="speakers"),
    path("expos/<slug:expo>/programme/speakers/<int:pk>/", public.speaker, name="speaker"),
    path(
        "expos/<slug:expo>/programme/speakers/<int:pk>/photo/<str:digest>/",
        public.speaker_photo,
        name="speaker-photo",
    ),
    path("expos/<slug:expo>/my/<str:token>/agenda/", agenda.agenda, name="agenda"),
]
