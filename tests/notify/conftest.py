import datetime

import pytest
from django.db import transaction

from creneau.notify.outbox import enqueue

NOW = datetime.datetime(2025, 6, 3, 9, 30, tzinfo=datetime.UTC)

CONTEXTS = {
    "verification_code": {"code": "482913", "minutes": 10, "reference": "R7K2QX", "prefecture_name": "Ain"},
    "request_filed": {
        "reference": "R7K2QX",
        "prefecture_name": "Préfecture de l'Ain",
        "procedure_name": "Premier titre de séjour",
        "batch_index": 42,
        "batch_closes_at_local": "mardi 3 juin 2025 à 18 h 00",
        "status_url": "https://creneau.example/d/R7K2QX/Zx8f2k1QmPq7Vn3sLt0aBc",
    },
    "private_link": {
        "reference": "R7K2QX",
        "prefecture_name": "Préfecture de l'Ain",
        "procedure_name": "Premier titre de séjour",
        "status_url": "https://creneau.example/d/R7K2QX/Zx8f2k1QmPq7Vn3sLt0aBc",
    },
    "request_withdrawn": {"reference": "R7K2QX", "prefecture_name": "Préfecture de l'Ain"},
    "contact_changed": {"reference": "R7K2QX", "prefecture_name": "Préfecture de l'Ain"},
    "offer_made": {
        "reference": "R7K2QX",
        "prefecture_name": "Préfecture de l'Ain",
        "procedure_name": "Premier titre de séjour",
        "appointment_local": "mardi 10 juin 2025 09:30 (Europe/Paris)",
        "place_name": "Préfecture de Bourg-en-Bresse",
        "place_address": "45 avenue Alsace-Lorraine, 01000 Bourg-en-Bresse",
        "documents": ["Passeport", "Justificatif de domicile"],
        "deadline_local": "vendredi 6 juin 2025 09:30 (Europe/Paris)",
        "status_url": "https://creneau.example/d/R7K2QX/Zx8f2k1QmPq7Vn3sLt0aBc",
    },
    "offer_confirmed": {
        "reference": "R7K2QX",
        "prefecture_name": "Préfecture de l'Ain",
        "procedure_name": "Premier titre de séjour",
        "appointment_local": "mardi 10 juin 2025 09:30 (Europe/Paris)",
        "place_name": "Préfecture de Bourg-en-Bresse",
        "place_address": "45 avenue Alsace-Lorraine, 01000 Bourg-en-Bresse",
        "documents": ["Passeport", "Justificatif de domicile"],
        "short_code": "7KQ32F9X",
        "status_url": "https://creneau.example/d/R7K2QX/Zx8f2k1QmPq7Vn3sLt0aBc",
    },
    "offer_lapsed": {
        "reference": "R7K2QX",
        "prefecture_name": "Préfecture de l'Ain",
        "status_url": "https://creneau.example/d/R7K2QX/Zx8f2k1QmPq7Vn3sLt0aBc",
    },
    "request_suspended": {
        "reference": "R7K2QX",
        "prefecture_name": "Préfecture de l'Ain",
        "status_url": "https://creneau.example/d/R7K2QX/Zx8f2k1QmPq7Vn3sLt0aBc",
    },
    "appointment_cancelled": {
        "reference": "R7K2QX",
        "prefecture_name": "Préfecture de l'Ain",
        "appointment_local": "mardi 10 juin 2025 09:30 (Europe/Paris)",
        "place_name": "Préfecture de Bourg-en-Bresse",
    },
    "appointment_reminder": {
        "reference": "R7K2QX",
        "prefecture_name": "Préfecture de l'Ain",
        "appointment_local": "mardi 10 juin 2025 09:30 (Europe/Paris)",
        "place_name": "Préfecture de Bourg-en-Bresse",
        "place_address": "45 avenue Alsace-Lorraine, 01000 Bourg-en-Bresse",
        "short_code": "7KQ32F9X",
        "status_url": "https://creneau.example/d/R7K2QX/Zx8f2k1QmPq7Vn3sLt0aBc",
    },
    "appointment_cancelled_by_prefecture": {
        "reference": "R7K2QX",
        "prefecture_name": "Préfecture de l'Ain",
        "appointment_local": "mardi 10 juin 2025 09:30 (Europe/Paris)",
        "place_name": "Préfecture de Bourg-en-Bresse",
        "reason": "fermeture exceptionnelle du guichet",
        "status_url": "https://creneau.example/d/R7K2QX/Zx8f2k1QmPq7Vn3sLt0aBc",
    },
}

EMAIL = "amina.diallo@example.org"
PHONE = "+33612345678"


@pytest.fixture(autouse=True)
def _outbox_settings(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.NOTIFY_MAX_ATTEMPTS = 8
    settings.NOTIFY_LEASE_SECONDS = 300
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    settings.NOTIFY_RETRY_MAX_SECONDS = 3600


def make_message(key="request:R7K2QX:filed:email", channel="email", to=EMAIL, template="request_filed", **kw):
    """Enqueue one message the way callers do: inside their transaction."""
    with transaction.atomic():
        return enqueue(
            key=key,
            channel=channel,
            to=to,
            template=template,
            context=kw.pop("context") if "context" in kw else CONTEXTS[template],
            language=kw.pop("language", "fr"),
            **kw,
        )
