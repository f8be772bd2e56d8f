from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProofsConfig(AppConfig):
    name = "creneau.proofs"
    verbose_name = _("Preuves signées")
