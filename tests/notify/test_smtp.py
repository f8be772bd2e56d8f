"""Against a real SMTP server on loopback (aiosmtpd), through Django's SMTP backend."""

import datetime
import email
import socket

import pytest
import time_machine
from aiosmtpd.controller import Controller

from creneau.notify.delivery import deliver_due
from creneau.notify.models import OutboxMessage

from .conftest import NOW, make_message

pytestmark = pytest.mark.django_db


class FlakyServer:
    """Refuses the first ``refusals`` messages with a temporary error, then accepts."""

    def __init__(self):
        self.refusals = 0
        self.refuse_rcpt = ""
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Try again later"
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 OK queued"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    handler = FlakyServer()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    yield handler
    controller.stop()


def test_a_refused_message_is_received_exactly_once_after_retry(smtp_server):
    smtp_server.refusals = 1
    with time_machine.travel(NOW, tick=False) as clock:
        msg = make_message()

        assert deliver_due("w1") == 0
        msg.refresh_from_db()
        assert msg.status == OutboxMessage.Status.PENDING
        assert "451" in msg.last_error
        assert smtp_server.received == []

        clock.shift(datetime.timedelta(minutes=1))
        assert deliver_due("w1") == 1
        clock.shift(datetime.timedelta(days=1))
        assert deliver_due("w1") == 0

    assert len(smtp_server.received) == 1
    received = smtp_server.received[0]
    assert received["Message-ID"] == msg.message_id
    assert received["To"] == "amina.diallo@example.org"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.is_multipart()
    msg.refresh_from_db()
    assert msg.status == OutboxMessage.Status.SENT
    assert msg.attempts == 2


def test_an_unknown_recipient_is_dead_at_once(smtp_server):
    smtp_server.refuse_rcpt = "550 5.1.1 No such user"
    msg = make_message()

    deliver_due("w1")

    msg.refresh_from_db()
    assert msg.status == OutboxMessage.Status.DEAD
    assert "550" in msg.last_error
    assert smtp_server.received == []


def test_an_unreachable_server_is_retried(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()  # nobody listens there
    msg = make_message()

    deliver_due("w1")

    msg.refresh_from_db()
    assert msg.status == OutboxMessage.Status.PENDING
    assert "ConnectionRefusedError" in msg.last_error
