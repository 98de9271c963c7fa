"""RQ jobs are JSON, never pickle: a job written into Redis by anyone cannot run code in a
worker, and every job the hotline queues has JSON-safe arguments."""

from __future__ import annotations

import contextlib
import json
import pickle
import zlib
from datetime import date, timedelta

from rq import Queue
from rq.exceptions import DeserializationError
from rq.job import Job
from rq.serializers import JSONSerializer

from hotline.messaging import inbound, outbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from hotline.registration import notify


def all_jobs(rt) -> list[Job]:
    jobs = []
    for name in ("inbound", "outbound", "broadcast"):
        queue = rt.queue(name)
        jobs += queue.jobs
        jobs += [Job.fetch(i, connection=rt.rq_redis, serializer=JSONSerializer)
                 for i in queue.scheduled_job_registry.get_job_ids()]
    return jobs


def test_every_queue_serializes_as_json(rt):
    assert all(rt.queue(n).serializer is JSONSerializer
               for n in ("inbound", "outbound", "broadcast"))


def test_jobs_the_hotline_queues_are_plain_json(rt):
    cid = rt.contacts.touch_inbound(parse_address("+5215512340000"))
    inbound.accept(rt, Inbound(sid="SM" + "1" * 32, contact_id=cid, channel="sms",
                               sender="+5215512340000", to="+15005550006", body="hola",
                               num_media=0, received_at=0))
    outbound.queue_message(rt, cid, to="+5215512340000", sender="+15005550006", body="x",
                           kind=outbound.REPLY)
    reference = rt.registrations.create({
        "name": "Ana", "birth_date": "1990-01-02", "citizenship": "HN", "a_number": "",
        "case_situation": "pending", "enrolled": "2019-05", "location_country": "MX",
        "location_city": "Tijuana", "phone": "+5215512340000", "family": 0,
        "vulnerabilities": []}, cid, "sms", "es").reference
    notify.status_changed(rt, reference, notify.APPOINTMENT, {
        "place": "Oficina", "date": (date.today() + timedelta(days=5)).isoformat(),
        "time": "10:30"}, actor="org:test")
    jobs = all_jobs(rt)
    names = {j.func_name for j in jobs}
    assert {"hotline.jobs.drain_inbox", "hotline.jobs.drain_outbox",
            "hotline.jobs.send_reminder"} <= names
    for job in jobs:
        raw = rt.rq_redis.hget(f"rq:job:{job.id}", "data")
        decoded = json.loads(zlib.decompress(raw))  # JSON all the way down, no pickle
        assert decoded[0] == job.func_name
        assert json.loads(json.dumps(job.args)) == list(job.args)


def test_a_pickled_job_planted_in_redis_is_never_unpickled(rt, tmp_path):
    marker = tmp_path / "ran"

    class Boom:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    queue = rt.queue("outbound")
    job = queue.enqueue("hotline.jobs.drain_outbox", "c-x")
    rt.rq_redis.hset(f"rq:job:{job.id}", "data", zlib.compress(pickle.dumps(
        ("hotline.jobs.drain_outbox", None, (Boom(),), {}))))
    with contextlib.suppress(DeserializationError):  # refused, never unpickled
        _ = Job.fetch(job.id, connection=rt.rq_redis, serializer=JSONSerializer).args
    assert not marker.exists()
    assert Queue("outbound", connection=rt.rq_redis, serializer=JSONSerializer).count == 1
