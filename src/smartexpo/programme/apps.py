from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "smartexpo.programme"
    label = "programme"
    verbose_name = _("Forum programme")

    def ready(self):
        from smartexpo.programme.services.reservations import registration_cancelled_followed
        from smartexpo.tickets.signals import registration_cancelled

        registration_cancelled.connect(
            registration_cancelled_followed, dispatch_uid="programme-cancelled"
        )
