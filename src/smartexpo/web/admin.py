"""The back office's home page: SmartExpo's name (both languages) in place of Django's, and a
"Shortcuts" panel above the models with what an organiser opens most during a show: each
edition's public site, live venue, gate-lane plan, gate scanner and entries per gate, and the
API docs."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("SmartExpo back office")
admin.site.site_title = _("SmartExpo back office")
admin.site.index_title = _("Organiser's home")
admin.site.index_template = "admin/smartexpo_index.html"
