import pytest
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext

from creneau.notify.models import OutboxMessage, message_id_for
from creneau.notify.outbox import enqueue
from creneau.notify.rendering import UnknownTemplateVariable

from .conftest import CONTEXTS, EMAIL, PHONE, make_message

pytestmark = pytest.mark.django_db


def test_it_renders_the_message_at_enqueue_time_in_the_recipients_language():
    msg = make_message(language="ar", prefecture_code="01", request_reference="R7K2QX")

    assert msg.status == OutboxMessage.Status.PENDING
    assert msg.attempts == 0
    with translation.override("ar"):
        arabic = gettext("Demande de rendez-vous %(reference)s enregistrée") % {"reference": "R7K2QX"}
    assert msg.subject == arabic
    assert "42" in msg.body_text
    assert "Préfecture de l'Ain" in msg.body_text  # plain text is not HTML-escaped
    assert 'dir="rtl"' in msg.body_html
    assert "Préfecture de l&#x27;Ain" in msg.body_html
    assert msg.prefecture_code == "01"
    assert msg.request_reference == "R7K2QX"


def test_it_derives_a_stable_message_id_from_the_key():
    msg = make_message()

    assert msg.message_id == message_id_for("request:R7K2QX:filed:email")
    assert msg.message_id.startswith("<")
    assert msg.message_id.endswith("@creneau>")
    assert len(msg.message_id) == len("<@creneau>") + 32


def test_it_is_idempotent_on_the_key():
    first = make_message()
    second = make_message(template="request_withdrawn")  # same key: the first message stands

    assert second.pk == first.pk
    assert second.template == "request_filed"
    assert OutboxMessage.objects.count() == 1


# A plain django_db test is itself one big transaction. available_apps: the flush after the test
# empties only our tables (the audit table refuses TRUNCATE on PostgreSQL).
@pytest.mark.django_db(transaction=True, available_apps=["creneau.notify"])
def test_it_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        enqueue(
            key="k1",
            channel="email",
            to=EMAIL,
            template="request_withdrawn",
            context=CONTEXTS["request_withdrawn"],
            language="fr",
        )
    assert not OutboxMessage.objects.exists()


def test_it_disappears_with_the_callers_rolled_back_transaction():
    class Boom(Exception):
        pass

    def file_then_fail():
        with transaction.atomic():
            enqueue(
                key="k1",
                channel="email",
                to=EMAIL,
                template="request_withdrawn",
                context=CONTEXTS["request_withdrawn"],
                language="fr",
            )
            raise Boom

    with pytest.raises(Boom):
        file_then_fail()

    assert not OutboxMessage.objects.exists()


def test_it_refuses_a_context_missing_a_declared_variable():
    context = dict(CONTEXTS["request_filed"])
    del context["status_url"]

    with pytest.raises(ValueError, match="status_url"):
        make_message(context=context)


def test_an_unknown_template_variable_fails_loudly(settings, tmp_path):
    (tmp_path / "notify" / "request_withdrawn").mkdir(parents=True)
    for part in ("subject.txt", "body.txt", "body.html"):
        (tmp_path / "notify" / "request_withdrawn" / part).write_text("{{ reference }} {{ not_in_context }}")
    from creneau.notify import rendering

    rendering.engine.cache_clear()
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    try:
        with pytest.raises(UnknownTemplateVariable, match="not_in_context"):
            make_message(template="request_withdrawn")
    finally:
        rendering.engine.cache_clear()


@pytest.mark.parametrize(
    ("channel", "to", "template", "error"),
    [
        ("sms", "0612345678", "request_withdrawn", "E.164"),
        ("email", "not-an-address", "request_withdrawn", "e-mail"),
        ("fax", EMAIL, "request_withdrawn", "channel"),
        ("email", EMAIL, "no_such_message", "template"),
    ],
)
def test_it_refuses_bad_input(channel, to, template, error):
    with pytest.raises(ValueError, match=error):
        make_message(channel=channel, to=to, template=template, context=CONTEXTS["request_withdrawn"])


def test_it_refuses_keys_unfit_for_a_header():
    with pytest.raises(ValueError, match="invalid outbox key"):
        make_message(key="request R7K2QX\r\nX-Evil: 1")


def test_it_refuses_an_unsupported_language():
    with pytest.raises(ValueError, match="language"):
        make_message(language="de")


def test_an_sms_is_plain_and_single_line():
    msg = make_message(key="k-sms", channel="sms", to=PHONE, template="verification_code", sensitive=True)

    assert msg.subject == ""
    assert msg.body_html == ""
    assert msg.body_text == (
        "Créneau : votre code est 482913 (valable 10 minutes). Ne le communiquez à personne. Demande R7K2QX."
    )


def test_the_database_refuses_invalid_states():
    msg = make_message()
    for change in ({"status": "lost"}, {"attempts": -1}, {"status": "sending"}, {"status": "sent"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            OutboxMessage.objects.filter(pk=msg.pk).update(**change)


@pytest.mark.django_db
def test_bulk_enqueued_messages_are_rendered_by_the_worker_in_their_language():
    from creneau.notify.delivery import deliver_due
    from creneau.notify.models import OutboxMessage
    from creneau.notify.outbox import enqueue_many

    from .conftest import CONTEXTS

    def rows():
        return [
            {
                "key": f"bulk:{i}",
                "channel": "email",
                "to": f"p{i}@example.org",
                "template": "request_withdrawn",
                "context": CONTEXTS["request_withdrawn"],
                "language": lang,
            }
            for i, lang in enumerate(["fr", "ar"])
        ]

    with transaction.atomic():
        assert enqueue_many(rows()) == 2
    with transaction.atomic():
        assert enqueue_many(rows()) == 0  # idempotent on keys
    assert not OutboxMessage.objects.filter(rendered=True).exists()
    assert deliver_due("w1") == 2
    fr, ar = OutboxMessage.objects.order_by("key")
    assert fr.rendered
    assert "R7K2QX" in fr.subject
    assert ar.rendered
    assert 'dir="rtl"' in ar.body_html


@pytest.mark.django_db(transaction=True)
def test_bulk_enqueue_outside_a_transaction_is_refused():
    from creneau.notify.outbox import enqueue_many

    with pytest.raises(RuntimeError):
        enqueue_many([])
