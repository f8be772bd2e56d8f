from django import template

from creneau.booking.links import local_datetime
from creneau.booking.queries import event_label as _event_label

register = template.Library()


@register.simple_tag(takes_context=True)
def local_dt(context, value, prefecture):  # type: ignore[no-untyped-def]
    """A UTC datetime shown in the prefecture's time zone, in the page's language."""
    from django.utils import translation

    return local_datetime(value, prefecture, translation.get_language() or "fr")


@register.simple_tag
def event_label(action):  # type: ignore[no-untyped-def]
    return _event_label(action)
