"""Broadcasts against real Redis and the Twilio sandbox: once each, in their language, never to
an opt-out, at the rate asked, surviving a killed worker, and reported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace

import pytest
import requests

from hotline.config import PROJECT_ROOT
from hotline.messaging import phones, sms
from hotline.messaging.channels import parse_address
from hotline.outreach import audience as bc_audience
from hotline.outreach import report as bc_report
from hotline.outreach import runner as bc_runner
from hotline.outreach import spec as bc_spec
from hotline.outreach import store as bc_store
from hotline.outreach.ratelimit import RateLimiter
from hotline.registration.store import RegistrationStore
from hotline.runtime import Runtime
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER, sandbox_records


def people(rt, count: int, lang: str = "es", channel: str = "sms", start: int = 0,
           prefix: str = "+52155") -> list[str]:
    """Contacts who wrote to the hotline; returns their ids."""
    ids = []
    for i in range(start, start + count):
        number = f"{prefix}{i:08d}"
        address = parse_address(f"whatsapp:{number}" if channel == "whatsapp" else number)
        contact_id = rt.contacts.touch_inbound(address)
        rt.contacts.set_language(contact_id, lang, chosen=False)
        ids.append(contact_id)
    return ids


def run_all(rt, bc_id: str, threads: int = 4) -> None:
    """What the workers do, in this process: run chunks until the broadcast is done."""
    for _ in range(1000):
        bc_runner.run(rt, bc_id, threads=threads)
        if bc_store.load(rt.redis, bc_id).state != "sending":
            return
    raise AssertionError("broadcast did not finish")


def send(rt, spec: dict, threads: int = 4) -> dict:
    bc = bc_runner.submit(rt, bc_spec.build(rt, spec, actor="test"))
    run_all(rt, bc.id, threads)
    return bc_report.report(rt, bc.id)


def test_each_person_gets_it_once_in_their_language_and_opt_outs_nothing(sandbox_rt, redis):
    rt = sandbox_rt
    spanish = people(rt, 12, "es")
    people(rt, 8, "en", start=100)
    for contact_id in spanish[:2]:
        rt.contacts.set_opted_out(contact_id, True)
    report = send(rt, {"template": "broadcast.stay_put"})
    assert (report["state"], report["total"], report["sent"], report["opted_out"]) == (
        "done", 20, 18, 2)
    records = sandbox_records(redis)
    by_to = Counter(r["to"] for r in records)
    assert len(records) == 18 and max(by_to.values()) == 1
    opted_numbers = {rt.contacts.get(c).number for c in spanish[:2]}
    assert not opted_numbers & set(by_to)
    # By SMS, as sent: folded to GSM-7 where that costs fewer segments.
    es_text, en_text = (sms.for_sms(rt.catalogs.text("broadcast.stay_put", lang))
                        for lang in ("es", "en"))
    assert Counter(r["body"] for r in records) == {es_text: 10, en_text: 8}
    # Restarting a finished broadcast sends nobody anything again.
    bc_runner.start(rt, report["id"])
    run_all(rt, report["id"])
    assert len(sandbox_records(redis)) == 18


def test_two_runners_at_once_never_duplicate(sandbox_rt, redis):
    rt = sandbox_rt
    people(rt, 600)
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"text": {"en": "hi", "es": "hola"}}, "t"))
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda _: run_all(rt, bc.id, threads=4), range(3)))
    records = sandbox_records(redis)
    assert len(records) == 600 and len({r["to"] for r in records}) == 600


def test_audience_filters_and_dry_run(sandbox_rt, redis):
    rt = sandbox_rt
    es, en = people(rt, 3, "es"), people(rt, 2, "en", start=10)
    wa = people(rt, 2, "es", channel="whatsapp", start=20)
    store = RegistrationStore(redis, rt.vault)
    base = {"name": "Ana Ruiz", "birth_date": "1990-01-01", "citizenship": "HN",
            "case_situation": "pending", "enrolled": "2019-04", "location_country": "MX",
            "phone": "+5215512345678", "family": 0}
    store.create(base | {"a_number": "000000001", "location_city": "Tijuana"}, es[0], "sms", "es")
    store.create(base | {"a_number": "000000002", "location_city": "Reynosa",
                         "citizenship": "GT"}, en[0], "sms", "en")
    spec = {"text": {"en": "Hello", "es": "Hola"}}

    def size(**audience):
        return bc_audience.dry_run(rt, bc_spec.build(rt, spec | {"audience": audience}, "t"))

    assert size()["audience"] == 7 and size()["by_language"] == {"es": 5, "en": 2}
    assert size(language="en")["audience"] == 2
    assert size(channel="whatsapp")["audience"] == len(wa) == 2
    assert size(registered=True)["audience"] == 2 and size(registered=False)["audience"] == 5
    assert size(city="tijuana")["audience"] == 1 and size(country="GT")["audience"] == 1
    assert size(status="received")["audience"] == 2
    assert size()["samples"] == {"en": "Hello", "es": "Hola"}
    assert sandbox_records(redis) == []  # a dry run sends nothing


def test_rate_cap_is_kept_and_nearly_reached(sandbox_rt, redis, monkeypatch):
    rt = sandbox_rt
    people(rt, 60)
    slots = []
    real_reserve = RateLimiter.reserve

    def recording(self):
        slot, now = real_reserve(self)
        slots.append(slot)
        return slot, now

    monkeypatch.setattr(RateLimiter, "reserve", recording)
    threads = 8
    report = send(rt, {"text": {"en": "x", "es": "y"}, "rate": 20}, threads=threads)
    assert report["sent"] == 60 and len(slots) == 60

    def busiest(times):
        return max(sum(1 for t in times if start <= t < start + 1) for start in times)

    # What the limiter promises, on Redis's clock: never more than the rate in any second, and
    # close to it over the whole run.
    slots.sort()
    assert busiest(slots) <= 20, f"{busiest(slots)} slots in one second"
    achieved = (len(slots) - 1) / (slots[-1] - slots[0])
    assert 0.9 * 20 <= achieved <= 20, achieved
    # What the sandbox sees adds each thread's wake-up delay: on loaded cores a stalled thread
    # sends its slot late, beside the next ones (Twilio queues such an excess, it does not refuse
    # it). Each thread holds at most one slot, so a second can gain at most one late message per
    # thread. Without the limiter the eight threads send all 60 in well under a second.
    arrivals = [r["_at"] for r in sandbox_records(redis)]
    assert busiest(arrivals) <= 20 + threads, f"{busiest(arrivals)} messages in one second"


def test_whatsapp_window_template_or_sms_or_nothing(sandbox_rt, redis):
    rt = sandbox_rt
    stale = time.time() - 2 * 24 * 3600
    recent, old_sms_ok, old_only_wa = people(rt, 3, channel="whatsapp")
    for contact_id in (old_sms_ok, old_only_wa):
        redis.hset(f"hl:contact:{contact_id}", "last_inbound_at", stale)
    redis.hset(f"hl:contact:{old_sms_ok}", "sms_ok", "1")
    report = send(rt, {"text": {"en": "news", "es": "noticias"}})
    assert report["via"] == {"session": 1, "sms_fallback": 1}
    assert report["skipped_by_reason"] == {"whatsapp_window": 1}
    tos = {r["to"] for r in sandbox_records(redis)}
    # WhatsApp to the form the person wrote from; SMS to the canonical form (+52, not +52 1).
    assert tos == {f"whatsapp:{rt.contacts.get(recent).number}",
                   phones.canonical(rt.contacts.get(old_sms_ok).number)}
    # With an approved template configured, the window no longer stops anyone.
    redis.flushdb()
    templated = Runtime(replace(rt.settings, whatsapp_content_sid="HX" + "a" * 32))
    old = people(templated, 1, channel="whatsapp")[0]
    redis.hset(f"hl:contact:{old}", "last_inbound_at", stale)
    report = send(templated, {"text": {"en": "news", "es": "noticias"}})
    assert report["via"] == {"template": 1}
    record = sandbox_records(redis)[0]
    assert record["_content_sid"] == "HX" + "a" * 32 and "noticias" in record["_content_variables"]


def test_transient_errors_are_retried_and_permanent_ones_mark_the_contact(sandbox_rt, redis):
    rt = sandbox_rt
    ok = people(rt, 2)
    # The sandbox's magic numbers: Twilio answers 21211 (invalid) and 21610 (unsubscribed).
    invalid = rt.contacts.touch_inbound(parse_address("+15005550001"))
    unsubscribed = rt.contacts.touch_inbound(parse_address("+15005550004"))
    requests.post(f"{rt.settings.twilio_api_base_url}/_sandbox/faults",
                  json={"status": 429, "count": 2}, auth=(ACCOUNT_SID, AUTH_TOKEN),
                  timeout=5).raise_for_status()
    report = send(rt, {"text": {"en": "x", "es": "y"}}, threads=1)
    assert report["sent"] == 2 and report["failed"] == 2
    assert report["failed_by_code"] == {"21211": 1, "21610": 1}
    assert rt.contacts.get(unsubscribed).opted_out and rt.contacts.get(invalid).undeliverable
    sent_to = {r["to"] for r in sandbox_records(redis)}
    assert sent_to == {phones.canonical(rt.contacts.get(c).number) for c in ok}


def test_a_worker_killed_mid_broadcast_leaves_no_gap_and_no_duplicate(sandbox_rt, redis, settings):
    rt = Runtime(replace(sandbox_rt.settings, broadcast_stale_seconds=3))
    people(rt, 500)
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"text": {"en": "x", "es": "y"}, "rate": 100}, "t"))
    env = {**os.environ, "REDIS_URL": settings.redis_url, "HOTLINE_SECRET": settings.secret,
           "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
           "TWILIO_API_BASE_URL": rt.settings.twilio_api_base_url,
           "HOTLINE_NUMBERS": f"{SMS_NUMBER},{WHATSAPP_NUMBER}",
           "HOTLINE_BROADCAST_CALLBACKS": "0", "HOTLINE_BROADCAST_STALE_SECONDS": "3",
           "PYTHONPATH": str(PROJECT_ROOT)}
    venv_rq = PROJECT_ROOT / ".venv" / "bin" / "rq"
    rq = (str(venv_rq) if venv_rq.exists()
          else os.path.join(os.path.dirname(sys.executable), "rq"))
    worker = [rq, "worker", "--url", settings.redis_url, "--worker-class", "rq.worker.SimpleWorker",
              "--serializer", "rq.serializers.JSONSerializer", "broadcast"]
    first = subprocess.Popen(worker, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while len(sandbox_records(redis)) < 100 and time.time() < deadline:
        time.sleep(0.1)
    os.killpg(first.pid, signal.SIGKILL)  # mid-chunk, without warning
    first.wait()
    sent_before = len(sandbox_records(redis))
    assert 0 < sent_before < 500
    second = subprocess.Popen(worker + ["--burst"], env=env, cwd=PROJECT_ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while bc_store.load(rt.redis, bc.id).state != "done" and time.time() < deadline:
        if second.poll() is not None:
            # The burst worker ran out of jobs: what the sweeper does next.
            bc_runner.resume_stalled(rt)
            second = subprocess.Popen(worker + ["--burst"], env=env, cwd=PROJECT_ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
    second.wait(timeout=60)
    records = sandbox_records(redis)
    assert bc_store.load(rt.redis, bc.id).state == "done"
    assert len(records) == 500 and len({r["to"] for r in records}) == 500
    assert bc_report.report(rt, bc.id)["sent"] == 500


@pytest.mark.parametrize("spec,error", [
    ({"template": "broadcast.nope"}, "unknown template"),
    ({"template": "broadcast.process_changed"}, "needs values for: date"),
    ({"text": {"en": "x" * 1601, "es": "y"}}, "limit is 1600"),
    ({"text": {"en": "only english"}}, "for each of"),
    ({"template": "broadcast.stay_put", "text": {"en": "a", "es": "b"}}, "not both"),
    ({"template": "broadcast.stay_put", "send_at": "tomorrow"}, "ISO 8601"),
    ({"template": "broadcast.stay_put", "send_at": "2020-01-01T00:00:00+00:00"}, "past"),
    ({"template": "broadcast.stay_put", "audience": {"language": "fr"}}, "en or es"),
    ({"template": "broadcast.stay_put", "audience": {"planet": "mars"}}, "filters are"),
    ({"template": "broadcast.stay_put", "rate": -1}, "rate"),
])
def test_bad_broadcasts_are_refused_and_send_nothing(sandbox_rt, redis, spec, error):
    people(sandbox_rt, 2)
    with pytest.raises(bc_spec.BroadcastError, match=error):
        bc_runner.submit(sandbox_rt, bc_spec.build(sandbox_rt, spec, "t"))
    assert sandbox_records(redis) == []


def test_an_empty_audience_is_refused(sandbox_rt, redis):
    people(sandbox_rt, 2, "es")
    bc = bc_spec.build(sandbox_rt, {"template": "broadcast.stay_put",
                                       "audience": {"language": "en"}}, "t")
    with pytest.raises(bc_spec.BroadcastError, match="empty"):
        bc_runner.submit(sandbox_rt, bc)
