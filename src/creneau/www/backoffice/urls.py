"""Back-office URLs. Every page below ``<code>/`` is scoped to that prefecture (see access.py)."""

from django.urls import path

from .views import accounts, auth, counter, home, places

app_name = "backoffice"

urlpatterns = [
    path("connexion/", auth.login_view, name="login"),
    path("connexion/code/", auth.login_totp, name="login_totp"),
    path("connexion/configuration/", auth.login_enrol, name="login_enrol"),
    path("deconnexion/", auth.logout_view, name="logout"),
    path("mot-de-passe/", auth.password_change, name="password"),
    path("", home.home, name="home"),
    path("<slug:code>/", home.dashboard, name="dashboard"),
    path("<slug:code>/sites/", places.sites, name="sites"),
    path("<slug:code>/sites/nouveau/", places.site_create, name="site_create"),
    path("<slug:code>/sites/<int:site_id>/", places.site_edit, name="site"),
    path("<slug:code>/sites/<int:site_id>/guichets/nouveau/", places.desk_create, name="desk_create"),
    path("<slug:code>/sites/<int:site_id>/journee/", places.day, name="day"),
    path("<slug:code>/guichets/<int:desk_id>/", places.desk_edit, name="desk"),
    path(
        "<slug:code>/guichets/<int:desk_id>/horaires/nouveau/", places.template_create, name="template_create"
    ),
    path("<slug:code>/horaires/<int:template_id>/", places.template_edit, name="template"),
    path(
        "<slug:code>/horaires/<int:template_id>/suppression/", places.template_delete, name="template_delete"
    ),
    path("<slug:code>/fermetures/", places.closures, name="closures"),
    path("<slug:code>/fermetures/nouvelle/", places.closure_create, name="closure_create"),
    path("<slug:code>/creneaux/", places.slots_generate, name="slots"),
    path("<slug:code>/guichet/", counter.counter, name="counter"),
    path("<slug:code>/guichet/<slug:kind>/", counter.counter_file, name="counter_file"),
    path("<slug:code>/demandes/", counter.search, name="search"),
    path("<slug:code>/demandes/<str:reference>/", counter.request_detail, name="request"),
    path(
        "<slug:code>/demandes/<str:reference>/accuse-reception.pdf", counter.receipt_pdf, name="receipt_pdf"
    ),
    path("<slug:code>/demandes/<str:reference>/identite/", counter.identity, name="identity"),
    path("<slug:code>/comptes/", accounts.account_list, name="accounts"),
    path("<slug:code>/comptes/nouveau/", accounts.account_create, name="account_create"),
    path("<slug:code>/comptes/<int:profile_id>/etat/", accounts.account_state, name="account_state"),
    path("<slug:code>/structures/", accounts.organisations, name="organisations"),
    path(
        "<slug:code>/structures/<int:organisation_id>/retrait/",
        accounts.organisation_withdraw,
        name="organisation_withdraw",
    ),
]

# Check-in at the counter (issue 5): read the convocation, compare the identity, arrival, outcome.
from .views import checkin  # noqa: E402

urlpatterns += [
    path("<slug:code>/accueil/", checkin.checkin_sites, name="checkin_sites"),
    path("<slug:code>/accueil/<int:site_id>/", checkin.checkin, name="checkin"),
    path(
        "<slug:code>/accueil/<int:site_id>/rdv/<str:reference>/",
        checkin.checkin_appointment,
        name="checkin_appointment",
    ),
    path(
        "<slug:code>/accueil/<int:site_id>/rdv/<str:reference>/arrivee/",
        checkin.checkin_arrived,
        name="checkin_arrived",
    ),
    path(
        "<slug:code>/accueil/<int:site_id>/rdv/<str:reference>/recu/",
        checkin.checkin_attended,
        name="checkin_attended",
    ),
    path(
        "<slug:code>/accueil/<int:site_id>/rdv/<str:reference>/absent/",
        checkin.checkin_no_show,
        name="checkin_no_show",
    ),
]

# Capacity planning (issue 7): projection of the prefecture's queue, slots needed for a target wait.
from .views import planning  # noqa: E402

urlpatterns += [path("<slug:code>/capacite/", planning.planning, name="planning")]
