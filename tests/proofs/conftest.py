import datetime

import pytest

from creneau.booking.models import Applicant, Batch, Prefecture, Procedure, Request, Site

SITE_URL = "https://creneau.example"
# 12 March 2025, 10:30 UTC = 14:30 in La Réunion (UTC+4, no daylight saving) = 11:30 in Paris.
FILED_AT = datetime.datetime(2025, 3, 12, 10, 30, tzinfo=datetime.UTC)
BATCH_CLOSES_AT = datetime.datetime(2025, 3, 12, 14, 0, tzinfo=datetime.UTC)  # 18:00 in La Réunion


@pytest.fixture(autouse=True)
def proofs_settings(settings, tmp_path):
    """Keys go to a temporary directory, never to var/keys; no configured key unless a test sets one."""
    settings.CRENEAU_KEY_DIR = tmp_path / "keys"
    settings.CRENEAU_SIGNING_KEY = ""
    settings.SITE_URL = SITE_URL
    # WhiteNoise warns (an error under our filterwarnings) when STATIC_ROOT is missing, as in a fresh
    # checkout that has not run collectstatic.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    return settings


def make_request(*, language="fr", code="974", tz="Indian/Reunion", reference="R974-7KQ3-2F9X"):
    prefecture = Prefecture.objects.create(code=code, name="Préfecture de La Réunion", time_zone=tz)
    site = Site.objects.create(
        prefecture=prefecture, name="Saint-Denis", address="6 rue des Messageries", postcode="97400",
        city="Saint-Denis",
    )
    Site.objects.create(
        prefecture=prefecture, name="Saint-Pierre", address="1 rue Victor Hugo", postcode="97410",
        city="Saint-Pierre",
    )
    procedure = Procedure.objects.create(
        prefecture=prefecture, kind=Procedure.Kind.FIRST_PERMIT,
        documents=[
            {"fr": "Passeport en cours de validité", "en": "Valid passport", "ar": "جواز سفر ساري المفعول"},
            {"fr": "Justificatif de domicile de moins de 3 mois", "en": "Proof of address under 3 months old",
             "ar": "إثبات السكن لا يتجاوز عمره 3 أشهر"},
        ],
    )
    procedure.sites.add(site)
    batch = Batch.objects.create(
        prefecture=prefecture, index=42, opens_at=FILED_AT - datetime.timedelta(hours=20),
        closes_at=BATCH_CLOSES_AT, commitment="c" * 64, secret="s" * 64,
    )
    applicant = Applicant.objects.create(
        surnames="Haddad", given_names="Amina", birth_date=datetime.date(1990, 5, 17), nationality="DZ",
        passport_number="AB1234567", email="amina@example.org", language=language,
    )
    request = Request.objects.create(
        reference=reference, applicant=applicant, prefecture=prefecture, procedure=procedure,
        status="pending", identity_key=f"haddad|amina|1990-05-17|{reference}", batch=batch,
        created_at=FILED_AT, filed_at=FILED_AT, status_changed_at=FILED_AT,
    )
    request.sites.add(site)
    return request


@pytest.fixture
def receipt_request(db):
    return make_request()
