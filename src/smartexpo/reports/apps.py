from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "smartexpo.reports"
    label = "reports"
    verbose_name = _("Dashboards and reports")

    def ready(self) -> None:
        from smartexpo.core import outboxes
        from smartexpo.reports import edition_charts
        from smartexpo.reports.services.schedules import report_emails_send

        # Before anything imports matplotlib, which reads its config dir once, at import.
        edition_charts.matplotlib_home()
        # The tickets mailer sits below this app: it sends the daily report emails through
        # the outboxes it calls on every pass.
        outboxes.sender_register(report_emails_send)
