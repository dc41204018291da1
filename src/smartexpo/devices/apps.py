from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "smartexpo.devices"
    label = "devices"
    verbose_name = _("Devices")
    # Tables behind per-process caches: every change moves the catalogue stamp (core.stamps).
    catalogue_tables = ("checkin_device_gates", "checkin_device_zones")
