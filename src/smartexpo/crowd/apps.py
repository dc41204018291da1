from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrowdConfig(AppConfig):
    name = "smartexpo.crowd"
    label = "crowd"
    verbose_name = _("Venue intelligence")

    def ready(self):
        from smartexpo.crowd.services import zone_thresholds_followed
        from smartexpo.venue.signals import zone_thresholds_changed

        zone_thresholds_changed.connect(zone_thresholds_followed, dispatch_uid="crowd-thresholds")
