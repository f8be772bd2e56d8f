"""Strings shown on our pages that come from third-party code whose catalogs lack them.

Nothing imports this module: it only exists so that ``makemessages`` copies these msgids into the
project catalog (src/creneau/locale), where we translate them. LOCALE_PATHS come first when Django
looks a string up, so our translations win over the third-party ones.

The msgids must stay exactly as the third-party code writes them (here in English, not French).
"""

from django.utils.translation import gettext_noop

EXTRA_STRINGS = [
    # django-dsfr, dsfr/templatetags/dsfr_tags.py, dsfr_mark_optionnal_fields: the marker after the
    # label of an optional form field. dsfr's own French catalog only has "(optional)" (lower case),
    # so the French pages need our fr catalog too ("(facultatif)").
    gettext_noop("(Optional)"),
]
