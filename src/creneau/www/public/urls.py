from django.urls import include, path

from .views import filing, home, runs, status

app_name = "public"

urlpatterns = [
    path("", home.home, name="home"),
    path("prefectures/<slug:code>/", home.prefecture, name="prefecture"),
    path("prefectures/<slug:code>/<slug:kind>/demande/", filing.file_request, name="file"),
    path("prefectures/<slug:code>/<slug:kind>/lien/", filing.resend_link, name="resend_link"),
    path("demande/<str:reference>/verification/", filing.verify, name="verify"),
    path("suivi/<str:reference>/acces/<str:token>/", status.status_entry, name="status_entry"),
    path("suivi/<str:reference>/", status.status, name="status"),
    path("suivi/<str:reference>/accuse-reception/", status.receipt, name="receipt"),
    path("suivi/<str:reference>/accuse-reception.pdf", status.receipt_pdf, name="receipt_pdf"),
    path("suivi/<str:reference>/retrait/", status.withdraw, name="withdraw"),
    path("suivi/<str:reference>/preferences/", status.preferences, name="preferences"),
    path("suivi/<str:reference>/coordonnees/", status.contact, name="contact"),
    path("suivi/<str:reference>/coordonnees/code/", status.contact_verify, name="contact_verify"),
    path("suivi/<str:reference>/rendez-vous/confirmer/", status.offer_confirm, name="offer_confirm"),
    path("suivi/<str:reference>/rendez-vous/refuser/", status.offer_decline, name="offer_decline"),
    path("suivi/<str:reference>/rendez-vous/annuler/", status.appointment_cancel, name="appointment_cancel"),
    path("suivi/<str:reference>/reactiver/", status.reactivate, name="reactivate"),
    path("attributions/<slug:code>/", runs.runs, name="runs"),
    path("attributions/<slug:code>/lot-<int:index>/", runs.run_detail, name="run"),
    path("attributions/<slug:code>/lot-<int:index>.json", runs.run_file, name="run_file"),
    path("", include("creneau.www.public.urls_appointment")),
    path("", include("creneau.www.public.urls_transparency")),
]
