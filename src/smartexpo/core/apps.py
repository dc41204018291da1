from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "smartexpo.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from django.db.models.signals import post_migrate

        from smartexpo.core.stamps import install_after_migrate

        # After every migrate and test-database flush: triggers die with a table SQLite remakes.
        post_migrate.connect(install_after_migrate, sender=self)
