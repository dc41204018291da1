from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "smartexpo.reports"
    label = "reports"
    verbose_name = _("Dashboards and reports")

    def ready(self) -> None:
        from smartexpo.reports import edition_charts

        # Before anything imports matplotlib, which reads its config dir once, at import.
        edition_charts.matplotlib_home()
