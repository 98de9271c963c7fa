"""Status notifications and broadcasts through the running hotline: the organizations' API, the
real RQ workers, the sandbox, and status callbacks back into the report."""

from __future__ import annotations

import secrets
import time
from datetime import date, datetime, timedelta

import pytest
import requests
from rq.registry import ScheduledJobRegistry
from rq.serializers import JSONSerializer

from hotline.access import api_tokens
from hotline.config import Settings
from hotline.content.catalogs import format_day
from hotline.messaging.channels import parse_address
from hotline.registration import notify
from hotline.registration.store import RegistrationStore
from hotline.runtime import Runtime
from support.conversation import Received, catalogs

pytestmark = pytest.mark.stack


@pytest.fixture
def hotline(stack, stack_redis):
    """The running stack, seen from an organization's side."""
    rt = Runtime(Settings.from_env(**{
        "redis_url": stack.env["REDIS_URL"], "secret": stack.env["HOTLINE_SECRET"],
        "twilio_account_sid": stack.env["TWILIO_ACCOUNT_SID"],
        "twilio_auth_token": stack.env["TWILIO_AUTH_TOKEN"],
        "twilio_api_base_url": stack.env["TWILIO_API_BASE_URL"],
        "hotline_numbers": tuple(stack.env["HOTLINE_NUMBERS"].split(",")),
        "port": stack.ports.gateway}))

    class Hotline:
        runtime = rt
        url = f"http://127.0.0.1:{stack.ports.gateway}/api/v1"
        writer = api_tokens.create(stack_redis, "Org Writer", ("registrations:read",
                                                               "registrations:write"))
        caster = api_tokens.create(stack_redis, "Org Comms", ("broadcasts",))
        reader = api_tokens.create(stack_redis, "Org Reader")
        store = RegistrationStore(stack_redis, rt.vault)

        def post(self, path, body, token):
            return requests.post(self.url + path, json=body, timeout=30,
                                 headers={"Authorization": f"Bearer {token}"} if token else {})

        def get(self, path, token):
            return requests.get(self.url + path, timeout=30,
                                headers={"Authorization": f"Bearer {token}"})

        def register(self, person, lang: str, city: str = "Tijuana", channel: str = "sms"):
            address = parse_address(person.address)
            contact_id = rt.contacts.touch_inbound(address)
            rt.contacts.set_language(contact_id, lang, chosen=True)
            return self.store.create({
                "name": "Ana Ruiz Soto", "birth_date": "1990-01-01", "citizenship": "HN",
                "a_number": "0" + "".join(secrets.choice("0123456789") for _ in range(8)),
                "case_situation": "pending", "enrolled": "2019-04", "location_country": "MX",
                "location_city": city, "phone": address.number, "family": 0,
            }, contact_id, channel, lang)

    return Hotline()


def only_message(person, timeout: float = 30) -> str:
    got = person.wait_for(1, timeout=timeout)
    assert len(got) == 1, got
    time.sleep(0.5)
    assert not person.new_messages(), "more than one message"
    return Received(got[0]["body"])


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_status_change_tells_the_person_in_their_language(phone, hotline, lang):
    person = phone()
    reg = hotline.register(person, lang)
    response = hotline.post(f"/registrations/{reg.reference}/status",
                            {"status": "under_review"}, hotline.writer)
    assert response.status_code == 200 and response.json()["notified"]
    assert only_message(person) == catalogs.text("notify.status.under_review", lang,
                                                 reference=reg.reference)
    assert hotline.store.get(reg.reference, actor=None).status == "under_review"


def test_an_appointment_is_written_the_local_way_and_reminded_the_day_before(
        phone, hotline, stack_redis):
    person = phone("whatsapp")
    reg = hotline.register(person, "es", channel="whatsapp")
    day = date.today() + timedelta(days=5)
    body = {"status": "appointment_scheduled", "place": "Albergue Juventud 2000, Tijuana",
            "date": day.isoformat(), "time": "08:30"}
    response = hotline.post(f"/registrations/{reg.reference}/status", body, hotline.writer)
    assert response.status_code == 200, response.text
    text = only_message(person)
    assert format_day(day, "es") in text and "8:30" in text and "Albergue Juventud 2000" in text
    scheduled = ScheduledJobRegistry("outbound", connection=hotline.runtime.rq_redis)
    jobs = [j for j in (scheduled.job_class.fetch(i, connection=hotline.runtime.rq_redis,
                                                  serializer=JSONSerializer)
                        for i in scheduled.get_job_ids())
            if j.func_name == "hotline.jobs.send_reminder" and j.args[0] == reg.reference]
    assert len(jobs) == 1
    when = datetime.fromisoformat(response.json()["reminder_at"])
    assert (when.date(), when.hour) == (day - timedelta(days=1), 9)
    # The reminder itself, as the scheduler will run it.
    notify.remind(hotline.runtime, reg.reference, jobs[0].args[1])
    assert only_message(person).startswith(catalogs.text(
        "notify.reminder", "es", date=format_day(day, "es"), time="8:30", place=body["place"],
        reference=reg.reference)[:40])
    # A moved appointment silences the old reminder.
    hotline.post(f"/registrations/{reg.reference}/status",
                 body | {"date": (day + timedelta(days=2)).isoformat()}, hotline.writer)
    only_message(person)
    assert notify.remind(hotline.runtime, reg.reference, jobs[0].args[1]) is None


def test_status_changes_that_cannot_be_done_are_4xx_and_send_nothing(phone, hotline):
    person = phone()
    reg = hotline.register(person, "es")
    path = f"/registrations/{reg.reference}/status"
    cases = [
        (hotline.post(path, {"status": "approved"}, hotline.writer), 400),
        (hotline.post(path, {"status": "duplicate"}, hotline.writer), 400),
        (hotline.post(path, {"status": "appointment_scheduled", "date": "2030-01-01"},
                      hotline.writer), 400),
        (hotline.post(path, {"status": "appointment_scheduled", "place": "x",
                             "date": "31/12/2030", "time": "9"}, hotline.writer), 400),
        (hotline.post("/registrations/ACDE-FHJK/status", {"status": "closed"}, hotline.writer),
         404),
        (requests.post(hotline.url + path, data="not json", timeout=10,
                       headers={"Authorization": f"Bearer {hotline.writer}"}), 400),
        (hotline.post(path, {"status": "closed"}, hotline.reader), 403),
        (hotline.post(path, {"status": "closed"}, "hlt_nope"), 401),
    ]
    for response, code in cases:
        assert response.status_code == code, response.text
        assert response.json()["error"]
    assert person.wait_for(1, timeout=2) == []
    assert hotline.store.get(reg.reference, actor=None).status == "received"


def test_a_broadcast_through_the_api_is_delivered_and_reported(phone, hotline, stack_redis):
    city = "Ciudad " + secrets.token_hex(4)
    spanish, english, stopped = phone(), phone(), phone()
    for person, lang in ((spanish, "es"), (english, "en"), (stopped, "es")):
        hotline.register(person, lang, city=city)
    hotline.runtime.contacts.set_opted_out(
        hotline.runtime.contacts.id_for(parse_address(stopped.address)), True)
    spec = {"template": "broadcast.stay_put", "audience": {"city": city}}
    preview = hotline.post("/broadcasts", spec | {"dry_run": True}, hotline.caster).json()
    assert preview["audience"] == 2 and preview["opted_out"] == 1
    created = hotline.post("/broadcasts", spec, hotline.caster)
    assert created.status_code == 201, created.text
    bc_id = created.json()["id"]
    assert only_message(spanish) == catalogs.text("broadcast.stay_put", "es")
    assert only_message(english) == catalogs.text("broadcast.stay_put", "en")
    assert stopped.wait_for(1, timeout=2) == []
    deadline = time.time() + 30
    while time.time() < deadline:
        report = hotline.get(f"/broadcasts/{bc_id}", hotline.caster).json()
        if report["delivered"] == 2:
            break
        time.sleep(0.3)
    assert (report["state"], report["sent"], report["delivered"], report["opted_out"]) == (
        "done", 2, 2, 1)


@pytest.mark.parametrize("body,fragment", [
    ({"template": "broadcast.nope"}, "unknown template"),
    ({"template": "broadcast.process_changed"}, "needs values"),
    ({"text": {"en": "a" * 1700, "es": "b"}}, "1600"),
    ({"template": "broadcast.stay_put", "audience": {"city": "Nowhere-" + "z" * 12}}, "empty"),
    ({"template": "broadcast.stay_put", "send_at": "next week"}, "ISO 8601"),
])
def test_bad_broadcasts_are_400_and_send_nothing(hotline, body, fragment, stack_redis):
    before = int(stack_redis.get("tw:accepted") or 0)
    response = hotline.post("/broadcasts", body, hotline.caster)
    assert response.status_code == 400 and fragment in response.json()["error"]
    assert int(stack_redis.get("tw:accepted") or 0) == before


def test_broadcasts_need_their_own_scope(hotline):
    assert hotline.post("/broadcasts", {"template": "broadcast.stay_put"},
                        hotline.writer).status_code == 403
    assert hotline.get("/broadcasts/BC0000", hotline.caster).status_code == 404
