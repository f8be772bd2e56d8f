from tests.backoffice.conftest import _fresh_cache, agent, manager, prefecture  # noqa: F401
