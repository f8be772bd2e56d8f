"""Several workers, each with its own database connection, never send the same row twice.

Runs on SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL: compare-and-set needs no
SKIP LOCKED.
"""

import collections
import sqlite3
import threading

import pytest
from django.db import connection

from creneau.notify import delivery
from creneau.notify.delivery import claim, deliver_due
from creneau.notify.models import OutboxMessage

from .conftest import make_message

pytestmark = [
    # available_apps: the flush after the test empties only our tables (the audit table refuses TRUNCATE).
    pytest.mark.django_db(transaction=True, available_apps=["creneau.notify"]),
    pytest.mark.usefixtures("file_database"),
]


@pytest.fixture
def file_database(tmp_path):
    """On SQLite, run on a file database, as production does.

    The default SQLite test database is in memory in shared-cache mode, where concurrent
    connections get "table is locked" at once instead of waiting on each other as they do on a
    file. Copy it to a file for the duration of the test (a no-op on PostgreSQL, or when the test
    database is already a file).
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory = connection.connection  # keeps the in-memory database alive meanwhile
    memory_name = connection.settings_dict["NAME"]
    path = tmp_path / "outbox.sqlite3"
    with sqlite3.connect(path) as copy:
        memory.backup(copy)
    copy.close()
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)  # shared with the settings every thread connects with
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = memory_name
        connection.connection = memory


def _in_threads(target, n):
    errors = []

    def run(i):
        try:
            target(i)
        except BaseException as exc:  # report in the main thread
            errors.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


def test_exactly_one_of_two_simultaneous_claims_wins():
    pks = [make_message(key=f"k{i}").pk for i in range(15)]
    barrier = threading.Barrier(2, timeout=20)
    winners = collections.defaultdict(list)

    def worker(i):
        for pk in pks:
            barrier.wait()  # both workers race for the same row at the same moment
            if claim(pk, f"w{i}") is not None:
                winners[pk].append(i)

    _in_threads(worker, 2)

    assert {pk: len(w) for pk, w in winners.items()} == dict.fromkeys(pks, 1)


def test_two_workers_draining_the_outbox_send_each_message_once(monkeypatch):
    keys = [f"k{i}" for i in range(30)]
    for key in keys:
        make_message(key=key)
    sent = []
    lock = threading.Lock()
    barrier = threading.Barrier(2, timeout=20)

    def send(msg):
        with lock:
            sent.append(msg.key)

    monkeypatch.setattr(delivery, "send", send)

    def worker(i):
        barrier.wait()
        while deliver_due(f"w{i}", limit=100):
            pass

    _in_threads(worker, 2)

    assert collections.Counter(sent) == collections.Counter(keys)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}
