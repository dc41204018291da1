from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrowdConfig(AppConfig):
    name = "smartexpo.crowd"
    label = "crowd"
    verbose_name = _("Venue intelligence")
