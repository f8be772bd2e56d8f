import datetime
import io
import os
import signal

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.contrib.auth.models import User
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from creneau.audit.models import AuditEvent
from creneau.notify import worker as worker_module
from creneau.notify.delivery import claim
from creneau.notify.models import OutboxMessage
from creneau.notify.worker import Worker, periodic_jobs, register_periodic, unregister_periodic

from .conftest import NOW, make_message

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


@pytest.fixture
def jobs():
    """A clean periodic-job registry for the test (apps may have registered theirs)."""
    saved = dict(worker_module._registry)
    worker_module._registry.clear()
    yield worker_module._registry
    worker_module._registry.clear()
    worker_module._registry.update(saved)


def test_periodic_jobs_run_at_their_period(jobs):
    calls = []
    register_periodic("expire_drafts", lambda: calls.append("drafts"), every_seconds=60)
    register_periodic("allocation", lambda: calls.append("allocation"), every_seconds=10)
    w = Worker("w")

    assert w.run_periodic(now=1000.0) == ["expire_drafts", "allocation"]
    assert w.run_periodic(now=1005.0) == []
    assert w.run_periodic(now=1010.0) == ["allocation"]
    assert w.run_periodic(now=1060.0) == ["expire_drafts", "allocation"]
    assert calls.count("drafts") == 2


def test_registering_a_name_again_replaces_the_job(jobs):
    register_periodic("job", print, every_seconds=5)
    register_periodic("job", list, every_seconds=7)
    assert [(j.name, j.func, j.every_seconds) for j in periodic_jobs()] == [("job", list, 7)]
    unregister_periodic("job")
    assert periodic_jobs() == []
    with pytest.raises(ValueError, match="positive"):
        register_periodic("job", list, every_seconds=0)


def test_a_failing_job_does_not_stop_the_others(jobs, caplog):
    ran = []

    def broken():
        raise RuntimeError("boom")

    register_periodic("broken", broken, every_seconds=1)
    register_periodic("fine", lambda: ran.append(1), every_seconds=1)

    assert Worker("w").run_periodic(now=0.0) == ["broken", "fine"]
    assert ran == [1]
    assert "periodic job broken failed" in caplog.text


def test_the_worker_command_delivers_once(jobs):
    make_message()
    out = io.StringIO()

    call_command("worker", "--once", stdout=out)

    assert out.getvalue().strip() == "sent 1 message(s)"
    assert len(mail.outbox) == 1


def test_a_worker_killed_before_sending_is_made_good_after_restart(jobs):
    with time_machine.travel(NOW, tick=False) as clock:
        msg = make_message()
        assert claim(msg.pk, "killed-worker") is not None  # claimed, then SIGKILL: nothing sent
        call_command("worker", "--once", stdout=io.StringIO())
        assert mail.outbox == []  # its lease still holds

        clock.shift(datetime.timedelta(minutes=6))
        call_command("worker", "--once", stdout=io.StringIO())

    assert len(mail.outbox) == 1
    msg.refresh_from_db()
    assert msg.status == Status.SENT


def test_the_worker_stops_cleanly_on_sigterm(jobs):
    make_message()
    rounds = []

    def job():  # runs inside the loop, so the command's signal handler is in place
        rounds.append(1)
        if len(rounds) == 3:
            os.kill(os.getpid(), signal.SIGTERM)

    register_periodic("terminate-on-third-round", job, every_seconds=0.01)
    before = signal.getsignal(signal.SIGTERM)

    call_command("worker", "--interval", "0.02")  # returns once SIGTERM arrives

    assert len(mail.outbox) == 1
    assert len(rounds) == 3
    assert signal.getsignal(signal.SIGTERM) is before


def test_dead_letters_are_listed_and_can_be_retried():
    msg = make_message()
    OutboxMessage.objects.filter(pk=msg.pk).update(
        status=Status.DEAD, attempts=8, last_error="550 no such user"
    )
    out = io.StringIO()

    call_command("outbox_dead", stdout=out)

    assert msg.key in out.getvalue()
    assert "550 no such user" in out.getvalue()
    assert "1 dead message(s)" in out.getvalue()

    call_command("outbox_retry", msg.key, stdout=io.StringIO())

    msg.refresh_from_db()
    assert msg.status == Status.PENDING
    assert msg.attempts == 0
    event = AuditEvent.objects.get(action="outbox.retry")
    assert event.data["key"] == msg.key
    call_command("worker", "--once", stdout=io.StringIO())
    assert len(mail.outbox) == 1


def test_retry_refuses_a_message_that_is_not_dead():
    msg = make_message()
    call_command("worker", "--once", stdout=io.StringIO())

    with pytest.raises(CommandError, match="not dead"):
        call_command("outbox_retry", msg.key, "no-such-key", stdout=io.StringIO())

    assert len(mail.outbox) == 1
    assert not AuditEvent.objects.filter(action="outbox.retry").exists()


def test_the_admin_hides_sensitive_bodies_and_retries_dead_messages():
    model_admin = site._registry[OutboxMessage]
    code = make_message(key="k-code", template="verification_code", sensitive=True)
    plain = make_message(key="k-plain", template="request_withdrawn")
    assert "482913" not in model_admin.shown_text(code)
    assert "482913" not in model_admin.shown_html(code)
    assert "R7K2QX" in model_admin.shown_text(plain)
    assert "status" in model_admin.list_filter

    OutboxMessage.objects.update(status=Status.DEAD)
    request = RequestFactory().post("/admin/notify/outboxmessage/")
    request.user = User.objects.create_superuser("admin", "admin@example.org", "a-long-password-1")
    request.session = {}
    request._messages = FallbackStorage(request)
    model_admin.retry_dead(request, OutboxMessage.objects.all())

    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.PENDING}
    assert AuditEvent.objects.filter(action="outbox.retry", actor_label="admin").count() == 2
    assert not model_admin.has_change_permission(request)
