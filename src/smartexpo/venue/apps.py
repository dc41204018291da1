from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenueConfig(AppConfig):
    name = "smartexpo.venue"
    label = "venue"
    verbose_name = _("Editions and venue")
