import datetime
import json

import pytest
import time_machine
from django.core import mail

from creneau.notify import delivery
from creneau.notify.delivery import backoff, claim, deliver_due
from creneau.notify.errors import DeliveryError, PermanentDeliveryError
from creneau.notify.models import OutboxMessage

from .conftest import NOW, PHONE, make_message

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def failing_send(monkeypatch):
    """Make every send raise the given error (None: succeed again); count the calls."""
    state = {"error": None, "calls": 0}
    real_send = delivery.send

    def send(msg):
        state["calls"] += 1
        if state["error"] is not None:
            raise state["error"]
        real_send(msg)

    monkeypatch.setattr(delivery, "send", send)
    return state


def test_it_sends_a_due_email_once_with_its_message_id(clock):
    msg = make_message(sensitive=False)

    assert deliver_due("w1") == 1

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["amina.diallo@example.org"]
    assert email.subject == "Demande de rendez-vous R7K2QX enregistrée"
    assert email.extra_headers["Message-ID"] == msg.message_id
    assert email.alternatives[0][1] == "text/html"
    msg.refresh_from_db()
    assert msg.status == Status.SENT
    assert msg.sent_at == NOW
    assert msg.attempts == 1
    assert msg.claimed_until is None
    assert msg.claimed_by.startswith("w1#")


def test_replaying_a_sent_message_sends_nothing(clock):
    msg = make_message()
    deliver_due("w1")

    assert deliver_due("w1") == 0
    assert claim(msg.pk, "w2") is None
    clock.shift(datetime.timedelta(days=30))
    assert deliver_due("w2") == 0
    assert len(mail.outbox) == 1


def test_it_sends_an_sms_through_the_configured_backend(clock, settings):
    msg = make_message(key="verify:R7K2QX:1:sms", channel="sms", to=PHONE, template="verification_code")

    assert deliver_due("w1") == 1

    files = list(settings.SMS_FILE_PATH.glob("*.json"))
    assert len(files) == 1
    sent = json.loads(files[0].read_text())
    assert sent["to"] == PHONE
    assert sent["from"] == "CRENEAU"
    assert sent["idempotency_key"] == msg.key
    assert "482913" in sent["text"]


def test_sensitive_bodies_are_scrubbed_once_sent(clock):
    msg = make_message(key="verify:R7K2QX:1:email", template="verification_code", sensitive=True)
    assert "482913" in msg.body_text
    assert "482913" in msg.body_html

    deliver_due("w1")

    assert "482913" in mail.outbox[0].body
    msg.refresh_from_db()
    assert msg.status == Status.SENT
    assert msg.body_text == ""
    assert msg.body_html == ""
    assert msg.scrubbed
    assert msg.subject  # the subject never carries the secret, and stays for the record
    assert "482913" not in msg.subject


def test_a_failure_schedules_a_retry_with_backoff(clock, failing_send):
    msg = make_message()
    failing_send["error"] = DeliveryError("connection refused")

    assert deliver_due("w1") == 0

    msg.refresh_from_db()
    assert msg.status == Status.PENDING
    assert msg.attempts == 1
    assert msg.last_error == "connection refused"
    assert NOW + datetime.timedelta(seconds=15) <= msg.next_attempt_at <= NOW + datetime.timedelta(seconds=30)
    assert deliver_due("w1") == 0  # not due yet
    assert failing_send["calls"] == 1

    failing_send["error"] = None
    clock.shift(datetime.timedelta(seconds=30))
    assert deliver_due("w1") == 1
    msg.refresh_from_db()
    assert msg.status == Status.SENT
    assert msg.attempts == 2
    assert msg.last_error == ""
    assert len(mail.outbox) == 1


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    for attempts in range(1, 12):
        nominal = min(3600, 30 * 2 ** (attempts - 1))
        for _ in range(20):
            seconds = backoff(attempts).total_seconds()
            assert nominal / 2 <= seconds <= nominal
    assert len({backoff(3) for _ in range(20)}) > 1  # jitter: workers do not retry in lockstep


def test_it_gives_up_after_the_maximum_number_of_attempts(clock, failing_send, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    msg = make_message()
    failing_send["error"] = DeliveryError("451 try later")

    for _ in range(5):
        deliver_due("w1")
        clock.shift(datetime.timedelta(hours=2))

    msg.refresh_from_db()
    assert msg.status == Status.DEAD
    assert msg.attempts == 3
    assert failing_send["calls"] == 3
    assert msg.last_error == "451 try later"
    assert msg.body_text  # kept, so that an administrator can retry


def test_a_permanent_error_is_dead_at_once(clock, failing_send):
    msg = make_message()
    failing_send["error"] = PermanentDeliveryError("550 no such user")

    deliver_due("w1")

    msg.refresh_from_db()
    assert msg.status == Status.DEAD
    assert msg.attempts == 1


def test_an_unexpected_exception_is_retried_and_does_not_stop_the_batch(clock, failing_send):
    first = make_message(key="k1")
    make_message(key="k2")
    failing_send["error"] = KeyError("bug")

    assert deliver_due("w1") == 0

    first.refresh_from_db()
    assert first.status == Status.PENDING
    assert "KeyError" in first.last_error
    assert failing_send["calls"] == 2


def test_a_crashed_workers_claim_is_taken_over_after_its_lease(clock):
    msg = make_message()
    crashed = claim(msg.pk, "crashed-worker")  # claimed, then the process died before sending
    assert crashed is not None

    assert deliver_due("w2") == 0  # lease still running: nobody else touches it
    clock.shift(datetime.timedelta(seconds=301))
    assert deliver_due("w2") == 1

    msg.refresh_from_db()
    assert msg.status == Status.SENT
    assert msg.attempts == 2
    assert msg.claimed_by.startswith("w2#")
    assert len(mail.outbox) == 1


def test_a_worker_that_lost_its_claim_records_nothing(clock):
    msg = make_message()
    slow = claim(msg.pk, "slow")
    clock.shift(datetime.timedelta(seconds=301))
    assert deliver_due("fast") == 1  # the lease expired: another worker sent it

    delivery.deliver(slow)  # the slow worker finally sends too: the duplicate window

    msg.refresh_from_db()
    assert msg.claimed_by.startswith("fast#")  # the slow worker's outcome was not recorded
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {msg.message_id}  # receivers collapse it


def test_a_message_whose_workers_keep_dying_ends_dead(clock, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    msg = make_message()
    for _ in range(2):
        assert claim(msg.pk, "dies") is not None
        clock.shift(datetime.timedelta(seconds=301))

    assert deliver_due("w") == 0

    msg.refresh_from_db()
    assert msg.status == Status.DEAD
    assert "worker lost" in msg.last_error
    assert mail.outbox == []


def test_it_takes_the_oldest_due_messages_first_up_to_the_limit(clock):
    for i in range(5):
        make_message(key=f"k{i}")
        clock.shift(datetime.timedelta(seconds=1))

    assert deliver_due("w", limit=2) == 2

    assert list(
        OutboxMessage.objects.filter(status=Status.SENT).values_list("key", flat=True).order_by("key")
    ) == [
        "k0",
        "k1",
    ]
