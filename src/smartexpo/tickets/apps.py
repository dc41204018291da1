from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "smartexpo.tickets"
    label = "tickets"
    verbose_name = _("Registration and tickets")
    # Tables behind per-process caches: every change moves the catalogue stamp (core.stamps);
    # a quota's places sold, updated by every registration, do not.
    catalogue_tables = (
        "tickets_tickettype",
        "tickets_tickettype_zones",
        ("tickets_dayquota", ("ticket_type_id", "day", "size")),
        "tickets_signingkey",
    )

    def ready(self):
        # Registers the system check that the PDF's CJK font is installed.
        from smartexpo.tickets import checks  # noqa: F401
