import pytest
from django.core.cache import cache

from creneau.accounts.models import Role
from tests.factories import DeskFactory, PrefectureFactory, ProcedureFactory

from .factories import log_in, make_agent


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # login-throttling counters of earlier tests must not leak
    yield
    cache.clear()


@pytest.fixture
def prefecture(db):
    return PrefectureFactory()


@pytest.fixture
def procedure(prefecture):
    return ProcedureFactory(prefecture=prefecture)


@pytest.fixture
def site(procedure):
    return procedure.sites.order_by("pk").first()


@pytest.fixture
def desk(site, procedure):
    desk = DeskFactory(site=site)
    desk.procedures.add(procedure)
    return desk


@pytest.fixture
def manager(prefecture):
    return make_agent(Role.MANAGER, prefecture)


@pytest.fixture
def agent(prefecture):
    return make_agent(Role.AGENT, prefecture)


@pytest.fixture
def manager_client(client, manager):
    log_in(client, manager)
    return client


@pytest.fixture
def agent_client(client, agent):
    log_in(client, agent)
    return client
