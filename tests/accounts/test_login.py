"""Logging in: password then TOTP (enrolled at first login), throttling, time-outs, disabling."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django_otp.plugins.otp_totp.models import TOTPDevice

from creneau.accounts.actions import agent_actor, check_password, do_set_account_active
from creneau.accounts.models import Role
from creneau.audit.models import AuditEvent
from creneau.booking.actions import ActionError
from tests.backoffice.factories import PASSWORD, code_now, log_in, make_agent

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _password_step(client, profile, password=PASSWORD, ip="198.51.100.7"):  # type: ignore[no-untyped-def]
    return client.post(
        "/agents/connexion/", {"username": profile.user.username, "password": password}, REMOTE_ADDR=ip
    )


def test_passwords_are_hashed_with_argon2id(agent):
    assert identify_hasher(agent.user.password).algorithm == "argon2"
    assert "$argon2id$" in agent.user.password


@pytest.mark.parametrize("password", ["short pass", "password1234", "azertyuiop123"])
def test_short_and_common_passwords_are_refused(password):
    with pytest.raises(ActionError):
        check_password(password)


def test_a_long_passphrase_without_symbols_is_accepted():
    check_password("le chat dort sur le radiateur")


@time_machine.travel(NOW, tick=False)
def test_login_needs_the_password_then_the_totp_code(client, agent):
    response = _password_step(client, agent)
    assert response.status_code == 302
    assert response["Location"] == "/agents/connexion/code/"
    assert client.get("/agents/").status_code == 302  # not logged in yet
    response = client.post("/agents/connexion/code/", {"code": code_now()})
    assert response.status_code == 302
    assert client.get(f"/agents/{agent.prefectures.first().code}/").status_code == 200
    assert AuditEvent.objects.filter(action="account.login", actor_user=agent.user).exists()


@time_machine.travel(NOW, tick=False)
def test_a_wrong_totp_code_does_not_log_in_and_is_audited(client, agent):
    _password_step(client, agent)
    response = client.post(
        "/agents/connexion/code/", {"code": "000000" if code_now() != "000000" else "111111"}
    )
    assert response.status_code == 400
    assert client.get("/agents/").status_code == 302
    assert AuditEvent.objects.filter(action="account.login_failed", data__step="totp").exists()


@time_machine.travel(NOW, tick=False)
def test_first_login_enrols_a_totp_device_shown_as_qr_and_text(client, prefecture):
    newcomer = make_agent(Role.AGENT, prefecture, totp=False)
    response = _password_step(client, newcomer)
    assert response["Location"] == "/agents/connexion/configuration/"
    page = client.get("/agents/connexion/configuration/").content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=newcomer.user)
    assert not device.confirmed
    response = client.post("/agents/connexion/configuration/", {"code": code_now(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="account.totp_enrolled").exists()


def test_a_wrong_password_is_refused_with_one_message_for_all_cases(client, agent):
    response = _password_step(client, agent, password="not the password at all")
    assert response.status_code == 400
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    response = client.post("/agents/connexion/", {"username": "nobody", "password": "whatever12345"})
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()


def test_login_is_throttled_per_account(client, agent, settings):
    settings.CRENEAU_LOGIN_MAX_FAILURES_PER_ACCOUNT = 3
    for n in range(3):
        _password_step(client, agent, password="wrong password!", ip=f"198.51.100.{n + 1}")
    response = _password_step(client, agent, ip="198.51.100.99")  # right password, another address
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action="account.login_throttled").exists()


def test_login_is_throttled_per_address(client, prefecture, settings):
    settings.CRENEAU_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    victims = [make_agent(Role.AGENT, prefecture) for _ in range(4)]
    for v in victims[:3]:
        _password_step(client, v, password="wrong password!")
    assert _password_step(client, victims[3]).status_code == 429
    assert _password_step(client, victims[3], ip="192.0.2.1").status_code == 302


def test_idle_sessions_end(client, agent, settings):
    with time_machine.travel(NOW, tick=False):
        log_in(client, agent)
        assert client.get("/agents/").status_code in (200, 302)
    with time_machine.travel(
        NOW + datetime.timedelta(seconds=settings.CRENEAU_SESSION_IDLE_SECONDS + 1), tick=False
    ):
        response = client.get(f"/agents/{agent.prefectures.first().code}/")
        assert response.status_code == 302
        assert response["Location"].startswith("/agents/connexion/")
    assert AuditEvent.objects.filter(action="account.session_ended", data__reason="idle_timeout").exists()


def test_active_sessions_still_end_after_the_absolute_limit(client, agent, settings):
    code = agent.prefectures.first().code
    start = NOW
    with time_machine.travel(start, tick=False):
        log_in(client, agent)
    step = datetime.timedelta(seconds=settings.CRENEAU_SESSION_IDLE_SECONDS - 60)
    moment = start
    while moment + step < start + datetime.timedelta(seconds=settings.CRENEAU_SESSION_ABSOLUTE_SECONDS):
        moment += step
        with time_machine.travel(moment, tick=False):
            assert client.get(f"/agents/{code}/").status_code == 200
    with time_machine.travel(
        start + datetime.timedelta(seconds=settings.CRENEAU_SESSION_ABSOLUTE_SECONDS + 1), tick=False
    ):
        assert client.get(f"/agents/{code}/").status_code == 302
    assert AuditEvent.objects.filter(action="account.session_ended", data__reason="absolute_timeout").exists()


def test_disabling_an_account_ends_its_sessions(client, agent, manager):
    log_in(client, agent)
    code = agent.prefectures.first().code
    assert client.get(f"/agents/{code}/").status_code == 200
    do_set_account_active(agent, False, agent_actor(manager.user, "192.0.2.5"))
    response = client.get(f"/agents/{code}/")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="account.disabled")
    assert event.actor_user == manager.user
    assert event.ip_address == "192.0.2.5"
    # and the password no longer opens it
    client.logout()
    assert _password_step(client, agent).status_code == 400


def test_a_manager_disables_an_account_from_the_page(client, agent, manager):
    log_in(client, manager)
    code = agent.prefectures.first().code
    assert client.get(f"/agents/{code}/comptes/{agent.pk}/etat/").status_code == 405  # no change on GET
    response = client.post(f"/agents/{code}/comptes/{agent.pk}/etat/", {"action": "disable"})
    assert response.status_code == 302
    agent.user.refresh_from_db()
    assert not agent.user.is_active


def test_an_agent_cannot_manage_accounts(client, agent, manager):
    log_in(client, agent)
    code = agent.prefectures.first().code
    response = client.post(f"/agents/{code}/comptes/{manager.pk}/etat/", {"action": "disable"})
    assert response.status_code == 403
    manager.user.refresh_from_db()
    assert manager.user.is_active
    assert AuditEvent.objects.filter(action="backoffice.forbidden").exists()


def test_a_manager_creates_an_account_with_a_good_password_only(client, manager):
    log_in(client, manager)
    code = manager.prefectures.first().code
    data = {
        "username": "jeanne.martin",
        "email": "jeanne.martin@prefecture.example",
        "role": "agent",
        "password": "motdepasse",
    }
    response = client.post(f"/agents/{code}/comptes/nouveau/", data)
    assert response.status_code == 400
    assert not manager.user.__class__.objects.filter(username="jeanne.martin").exists()
    data["password"] = "un long chemin vers la préfecture"
    assert client.post(f"/agents/{code}/comptes/nouveau/", data).status_code == 302
    created = manager.user.__class__.objects.get(username="jeanne.martin")
    assert created.agent_profile.role == Role.AGENT
    assert list(created.agent_profile.prefectures.values_list("code", flat=True)) == [code]


def test_a_manager_cannot_create_a_national_administrator(client, manager):
    log_in(client, manager)
    code = manager.prefectures.first().code
    response = client.post(
        f"/agents/{code}/comptes/nouveau/",
        {
            "username": "chef",
            "email": "chef@prefecture.example",
            "role": "national_admin",
            "password": "un long chemin vers la préfecture",
        },
    )
    assert response.status_code == 400
    assert not manager.user.__class__.objects.filter(username="chef").exists()


def test_a_password_from_the_breach_list_is_refused(settings, tmp_path):
    import hashlib

    breached = tmp_path / "pwned.txt"
    breached.write_text(
        hashlib.sha1(b"Tr0ub4dour&3-horse", usedforsecurity=False).hexdigest().upper() + ":42\n"
    )
    settings.CRENEAU_BREACHED_PASSWORDS_FILE = str(breached)
    with pytest.raises(ActionError):
        check_password("Tr0ub4dour&3-horse")
    check_password("Tr0ub4dour&3-horses")


def test_a_helper_account_needs_an_organisation_accredited_in_that_prefecture(manager, prefecture):
    from creneau.accounts.actions import do_create_account
    from tests.backoffice.factories import OrganisationFactory
    from tests.factories import PrefectureFactory

    elsewhere = OrganisationFactory(prefectures=[PrefectureFactory(reunion=True)])
    actor = agent_actor(manager.user, "192.0.2.1")
    kwargs = {
        "email": "aide@example.org",
        "role": Role.HELPER,
        "prefectures": [prefecture],
        "password": "un long chemin vers la préfecture",
        "actor": actor,
        "by": manager,
    }
    with pytest.raises(ActionError):
        do_create_account(username="aide.un", organisation=elsewhere, **kwargs)
    with pytest.raises(ActionError):
        do_create_account(username="aide.deux", organisation=None, **kwargs)
    local = OrganisationFactory(prefectures=[prefecture])
    helper = do_create_account(username="aide.trois", organisation=local, **kwargs)
    assert helper.organisation == local
