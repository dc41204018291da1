from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "smartexpo.meetings"
    label = "meetings"
    verbose_name = _("Business meetings")

    def ready(self):
        # Lower apps offer hooks and cannot import this app: the programme's agenda page shows
        # the visitor's meetings, and the mailer sends the schedule emails.
        from smartexpo.core import outboxes
        from smartexpo.meetings.services.notices import notices_send
        from smartexpo.meetings.views import agenda_panel
        from smartexpo.programme import panels

        panels.agenda_panel_register(agenda_panel)
        outboxes.sender_register(notices_send)
