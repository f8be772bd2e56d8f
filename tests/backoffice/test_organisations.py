"""Helper organisations: a manager accredits them; withdrawing the accreditation stops their members."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from creneau.accounts.models import Organisation, Role
from creneau.audit.models import AuditEvent
from tests.factories import file_request

from .factories import OrganisationFactory, log_in, make_agent

pytestmark = pytest.mark.django_db


def test_a_manager_accredits_an_organisation(manager_client, prefecture):
    url = f"/agents/{prefecture.code}/structures/"
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {"name": "  Cimade   Bobigny ", "kind": "association"})
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Cimade Bobigny")
    assert list(organisation.prefectures.all()) == [prefecture]
    assert AuditEvent.objects.filter(action="organisation.accredited").exists()
    assert manager_client.post(url, {"name": "cimade bobigny", "kind": "association"}).status_code == 400
    assert manager_client.post(url, {"name": "", "kind": "association"}).status_code == 400
    assert Organisation.objects.count() == 1


def test_the_list_counts_each_organisations_filings(client, manager, prefecture, procedure):
    helper = make_agent(Role.HELPER, prefecture)
    from creneau.accounts.models import HelperFiling

    HelperFiling.objects.create(
        request=file_request(procedure), organisation=helper.organisation, user=helper.user
    )
    log_in(client, manager)
    html = client.get(f"/agents/{prefecture.code}/structures/").content.decode()
    assert escape(helper.organisation.name) in html
    assert "<td>1</td>" in html


def test_withdrawing_an_accreditation_disables_its_members_here(client, manager, prefecture):
    organisation = OrganisationFactory(prefectures=[prefecture])
    helper = make_agent(Role.HELPER, prefecture, organisation=organisation)
    log_in(client, manager)
    url = f"/agents/{prefecture.code}/structures/{organisation.pk}/retrait/"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    helper.user.refresh_from_db()
    assert not helper.user.is_active
    assert not organisation.prefectures.filter(pk=prefecture.pk).exists()
    event = AuditEvent.objects.get(action="organisation.accreditation_withdrawn")
    assert event.data["members_disabled"] == 1


def test_agents_cannot_accredit(agent_client, prefecture):
    response = agent_client.post(
        f"/agents/{prefecture.code}/structures/", {"name": "X", "kind": "association"}
    )
    assert response.status_code == 403
    assert not Organisation.objects.exists()
