"""Number formatting for the pages without pulling in django.contrib.humanize's locale rules."""

from django import template

register = template.Library()


@register.filter
def thousands(value) -> str:
    """700000 → "700,000" (the grouping both English and Chinese readers of expo figures use)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""
