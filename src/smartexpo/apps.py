from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmartExpoConfig(AppConfig):
    """The project itself, as an app: the commands that run the whole platform (`serve`,
    `token`) sit above every other app, so they may use any of them."""

    name = "smartexpo"
    label = "smartexpo"
    verbose_name = _("SmartExpo")
