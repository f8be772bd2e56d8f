"""Back-office people: roles, organisations, the prefectures each account may see, helper filings.

An account is a Django ``User`` plus one ``AgentProfile``; its second factor is a django-otp TOTP
device. Who may do what is decided in ``creneau.accounts.roles``, never in the pages.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from creneau.booking.models import Prefecture, Request


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("administrateur national")
    MANAGER = "manager", _("responsable en préfecture")
    AGENT = "agent", _("agent de préfecture")
    HELPER = "helper", _("aidant habilité")
    AUDITOR = "auditor", _("auditeur (lecture seule)")


class Organisation(models.Model):
    """An accredited helper organisation (association, France Services) whose members file for applicants."""

    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("association")
        FRANCE_SERVICES = "france_services", _("France Services")
        OTHER = "other", _("autre structure habilitée")

    name = models.CharField(_("nom"), max_length=160)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.ASSOCIATION)
    prefectures = models.ManyToManyField(
        Prefecture, related_name="organisations", verbose_name=_("préfectures")
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="organisation_name_unique")]

    def __str__(self) -> str:
        return self.name


class AgentProfile(models.Model):
    """The back-office side of a user: role and scope. A national administrator sees every prefecture;
    everyone else only those listed (a helper: those of their organisation)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    prefectures = models.ManyToManyField(
        Prefecture, related_name="agents", blank=True, verbose_name=_("préfectures")
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("structure"),
    )
    # Bumped when the account is disabled or its password changes: every older session stops working.
    session_version = models.PositiveIntegerField(default=1)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="helper") | models.Q(organisation__isnull=False),
                name="helper_has_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="agent_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"


class HelperFiling(models.Model):
    """A request filed by a member of a helper organisation: attributed to the organisation (statistics)."""

    request = models.OneToOneField(Request, on_delete=models.PROTECT, related_name="helper_filing")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="filings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.request_id} ← {self.organisation}"
