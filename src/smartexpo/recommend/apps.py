from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendConfig(AppConfig):
    name = "smartexpo.recommend"
    label = "recommend"
    verbose_name = _("Recommendations")

    def ready(self):
        # The programme's agenda page shows what this app recommends (programme sits below
        # and offers the hook, `programme.panels`).
        from smartexpo.programme import panels
        from smartexpo.recommend.pages import agenda_panel

        panels.agenda_panel_register(agenda_panel)
