from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "smartexpo.checkin"
    label = "checkin"
    verbose_name = _("Check-in")
    # Tables behind per-process caches: every change moves the catalogue stamp (core.stamps).
    catalogue_tables = ("checkin_device_gates", "checkin_device_zones")
