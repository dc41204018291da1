from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenueConfig(AppConfig):
    name = "smartexpo.venue"
    label = "venue"
    verbose_name = _("Editions and venue")
    # Tables behind per-process caches: every change moves the catalogue stamp (core.stamps).
    catalogue_tables = ("venue_expo", "venue_zone", "venue_gate")
