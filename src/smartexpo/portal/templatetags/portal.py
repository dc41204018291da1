from django import template

from smartexpo.portal.nav import sections_for

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_sections(context):
    """The navigation of the exhibitor's portal the page belongs to."""
    return sections_for(context["request"])
