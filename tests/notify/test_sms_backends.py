import datetime
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine

from creneau.notify.backends.sms import ConsoleSMSBackend, FileSMSBackend, HttpSMSBackend, get_sms_backend
from creneau.notify.delivery import deliver_due
from creneau.notify.errors import DeliveryError, PermanentDeliveryError
from creneau.notify.models import OutboxMessage

from .conftest import NOW, PHONE, make_message

Status = OutboxMessage.Status


class Provider:
    """A tiny SMS provider: answers with the queued status codes (then 202) and records requests."""

    def __init__(self):
        self.statuses = []
        self.requests = []

        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                provider.requests.append({"headers": dict(self.headers), "body": body})
                status = provider.statuses.pop(0) if provider.statuses else 202
                payload = json.dumps({"status": status}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)


@pytest.fixture
def provider(settings):
    p = Provider()
    p.thread.start()
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = p.url
    settings.SMS_HTTP_TOKEN = "test-token"
    yield p
    p.server.shutdown()
    p.server.server_close()


@pytest.mark.django_db
def test_the_provider_receives_the_idempotency_key_and_a_retry_after_a_500(provider):
    provider.statuses = [500]
    with time_machine.travel(NOW, tick=False) as clock:
        msg = make_message(key="verify:R7K2QX:1:sms", channel="sms", to=PHONE, template="verification_code")

        assert deliver_due("w1") == 0
        msg.refresh_from_db()
        assert msg.status == Status.PENDING
        assert "500" in msg.last_error

        clock.shift(datetime.timedelta(minutes=1))
        assert deliver_due("w1") == 1

    assert len(provider.requests) == 2
    for request in provider.requests:
        assert request["headers"]["Idempotency-Key"] == "verify:R7K2QX:1:sms"
        assert request["headers"]["Authorization"] == "Bearer test-token"
        assert request["body"] == {
            "to": PHONE,
            "from": "CRENEAU",
            "text": msg.body_text,
            "idempotency_key": "verify:R7K2QX:1:sms",
        }
    msg.refresh_from_db()
    assert msg.status == Status.SENT


@pytest.mark.django_db
def test_a_400_is_dead_at_once(provider):
    provider.statuses = [400]
    msg = make_message(key="k-sms", channel="sms", to=PHONE, template="request_withdrawn")

    deliver_due("w1")

    msg.refresh_from_db()
    assert msg.status == Status.DEAD
    assert msg.attempts == 1
    assert "400" in msg.last_error
    assert len(provider.requests) == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, DeliveryError),
        (503, DeliveryError),
        (302, DeliveryError),
        (401, PermanentDeliveryError),
        (422, PermanentDeliveryError),
    ],
)
def test_status_codes_map_to_retryable_or_permanent_errors(provider, status, error):
    provider.statuses = [status]
    with pytest.raises(error) as raised:
        HttpSMSBackend().send(to=PHONE, text="t", key="k")
    assert raised.type is error


def test_a_timeout_is_retryable(settings):
    import socket

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        backend = HttpSMSBackend(url=f"http://127.0.0.1:{silent.getsockname()[1]}/", token="t", timeout=0.2)
        with pytest.raises(DeliveryError, match="unreachable") as raised:
            backend.send(to=PHONE, text="t", key="k")
    assert not raised.value.permanent


def test_the_file_backend_writes_one_file_per_key(tmp_path):
    backend = FileSMSBackend(tmp_path)
    backend.send(to=PHONE, text="premier", key="k1")
    backend.send(to=PHONE, text="premier, renvoyé", key="k1")  # a redelivery overwrites
    backend.send(to=PHONE, text="second", key="k2")

    files = sorted(tmp_path.iterdir())
    assert len(files) == 2
    assert {json.loads(f.read_text())["text"] for f in files} == {"premier, renvoyé", "second"}


def test_the_console_backend_prints_the_message():
    out = io.StringIO()
    ConsoleSMSBackend(out).send(to=PHONE, text="Bonjour", key="k1")
    assert PHONE in out.getvalue()
    assert "Bonjour" in out.getvalue()


def test_the_backend_is_chosen_by_settings(settings):
    settings.SMS_BACKEND = "console"
    assert isinstance(get_sms_backend(), ConsoleSMSBackend)
    settings.SMS_BACKEND = "creneau.notify.backends.sms.FileSMSBackend"
    assert isinstance(get_sms_backend(), FileSMSBackend)
