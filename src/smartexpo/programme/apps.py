from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "smartexpo.programme"
    label = "programme"
    verbose_name = _("Forum programme")
