"""The programme's feeds and exports, without a language prefix (`?lang=` instead): a calendar
app or a conference app keeps one address whatever language the visitor reads the site in."""

from django.urls import path

from smartexpo.programme import feed_views

app_name = "programme-feeds"

urlpatterns = [
    path("expos/<slug:expo>/programme.ics", feed_views.programme_ics, name="programme-ics"),
    path("expos/<slug:expo>/agenda/<str:secret>.ics", feed_views.agenda_ics, name="agenda-ics"),
    path("expos/<slug:expo>/schedule.json", feed_views.schedule_json, name="schedule-json"),
    path("expos/<slug:expo>/schedule.xml", feed_views.schedule_xml, name="schedule-xml"),
]
