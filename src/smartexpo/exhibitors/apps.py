from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExhibitorsConfig(AppConfig):
    name = "smartexpo.exhibitors"
    label = "exhibitors"
    verbose_name = _("Exhibitors")
    # Tables behind per-process caches: every change moves the catalogue stamp (core.stamps).
    catalogue_tables = ("exhibitors_tag", "exhibitors_sector")
