from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """A person's data across the apps that store it: export and erasure on request
    (`docs/personal-data.md`). Above tickets and check-in, as it reads both."""

    name = "smartexpo.privacy"
    label = "privacy"
    verbose_name = _("Personal data")
