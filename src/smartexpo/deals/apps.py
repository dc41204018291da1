from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "smartexpo.deals"
    label = "deals"
    verbose_name = _("Deals")
    default_auto_field = "django.db.models.BigAutoField"
    # The tally's signing key is cached per process under the catalogue stamp (core.stamps).
    catalogue_tables = ("deals_dealskey",)
