from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "smartexpo.demo"
    label = "demo"
    verbose_name = _("Demo data")

    def ready(self):
        # The deals pages say, above the demo's invented projects, that they are illustrative.
        from smartexpo.deals import notes
        from smartexpo.demo.deals import demo_deals_note

        notes.note_provider_register(demo_deals_note)
