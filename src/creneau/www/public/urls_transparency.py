"""Proof of waiting and public statistics (issue 6)."""

from django.urls import path

from .views import transparency

urlpatterns = [
    path("suivi/<str:reference>/attestation.pdf", transparency.attestation_pdf, name="attestation_pdf"),
    path(
        "suivi/<str:reference>/attestation/<str:code>.jws",
        transparency.attestation_jws,
        name="attestation_jws",
    ),
    path("attestation/", transparency.attestation_check, name="attestation_check"),
    path("attestation/<str:code>/", transparency.attestation_check, name="attestation_check_code"),
    path("statistiques/", transparency.stats_index, name="stats"),
    path("statistiques/donnees/quotidien.csv", transparency.open_data_daily_csv, name="open_data_daily_csv"),
    path(
        "statistiques/donnees/quotidien.json", transparency.open_data_daily_json, name="open_data_daily_json"
    ),
    path(
        "statistiques/donnees/empreintes-journal.csv",
        transparency.open_data_heads_csv,
        name="open_data_heads_csv",
    ),
    path("statistiques/<slug:code>/", transparency.stats_prefecture, name="stats_prefecture"),
]
