"""The console's dead letters and claim alerts, through Flask's test client against real Redis:
supervisors see the failed work and retry it once (CSRF-protected, audited), operators may not;
a claim goes back to the queue when its operator signs out; supervisors are warned while a held
conversation has an unanswered message."""

from __future__ import annotations

import time
from functools import partial

from hotline.handoff import audit
from hotline.handoff import queue as escalations
from hotline.messaging import deadletters
from hotline.runtime import OUTBOUND_QUEUE
from support.console import sign_in as console_sign_in
from support.people import person

sign_in = partial(console_sign_in, lang="en")


def letter(rt, contact_id: str | None = None) -> str:
    return deadletters.add(rt.redis, deadletters.LINE, "KeyError: 'state'", 5,
                           contact_id=contact_id, line="inbox", item="SM" + "1" * 32)


def test_supervisors_see_the_failed_work_and_retry_it_once(app, rt):
    contact_id = person(rt)
    entry_id = letter(rt, contact_id)
    boss = sign_in(app, "jefa", role="supervisor")
    page = boss.get("/console/dead-letters")
    assert page.status_code == 200
    assert entry_id.encode() in page.data and b"KeyError" in page.data
    assert b"message in the inbox" in page.data
    assert b"Failed work (1)" in boss.get("/console/").data  # the menu counts them

    response = boss.post(f"/console/dead-letters/{entry_id}/retry",
                         data={"csrf_token": boss.csrf})
    assert response.status_code == 302
    assert deadletters.get(rt.redis, entry_id)["state"] == "retried"
    [job] = rt.queue(OUTBOUND_QUEUE).get_jobs()
    assert (job.func_name, job.args) == ("hotline.jobs.retry_dead_letter", [entry_id])
    [logged] = [e for e in audit.recent(rt.redis) if e["action"] == "dead_letter_retry"]
    # The entry's id leads back to the person's message: sealed, readable with the vault.
    assert (logged["operator"], audit.details(logged, rt.vault)["entry"],
            logged["contact_id"]) == ("jefa", entry_id, contact_id)
    assert "entry" not in logged
    # Pressed again (another tab, another supervisor): refused, nothing queued twice.
    again = boss.post(f"/console/dead-letters/{entry_id}/retry", data={"csrf_token": boss.csrf})
    assert again.status_code == 409
    assert len(rt.queue(OUTBOUND_QUEUE).get_jobs()) == 1
    assert b"Nothing has failed." in boss.get("/console/dead-letters").data


def test_a_retry_without_the_csrf_token_does_nothing(app, rt):
    entry_id = letter(rt)
    boss = sign_in(app, "jefa", role="supervisor")
    assert boss.post(f"/console/dead-letters/{entry_id}/retry").status_code == 400
    assert boss.post(f"/console/dead-letters/{entry_id}/retry",
                     data={"csrf_token": "forged"}).status_code == 400
    assert deadletters.get(rt.redis, entry_id)["state"] == "dead"
    assert rt.queue(OUTBOUND_QUEUE).get_jobs() == []


def test_operators_may_not_see_or_retry_failed_work(app, rt):
    entry_id = letter(rt)
    ana = sign_in(app, "ana")
    assert ana.get("/console/dead-letters").status_code == 403
    assert ana.post(f"/console/dead-letters/{entry_id}/retry",
                    data={"csrf_token": ana.csrf}).status_code == 403
    assert b"Failed work" not in ana.get("/console/").data
    assert deadletters.get(rt.redis, entry_id)["state"] == "dead"


def test_an_unknown_entry_is_refused(app):
    boss = sign_in(app, "jefa", role="supervisor")
    assert boss.post("/console/dead-letters/nope/retry",
                     data={"csrf_token": boss.csrf}).status_code == 409


def test_signing_out_returns_the_operators_claims_to_the_queue(app, rt):
    mine, theirs = person(rt, "+5215512340031"), person(rt, "+5215512340032")
    ana = sign_in(app, "ana")
    beto = sign_in(app, "beto")
    assert ana.post(f"/console/c/{mine}/claim", data={"csrf_token": ana.csrf}).status_code == 302
    assert beto.post(f"/console/c/{theirs}/claim",
                     data={"csrf_token": beto.csrf}).status_code == 302
    assert escalations.with_operator(rt.redis, mine)
    ana.post("/console/logout", data={"csrf_token": ana.csrf})
    assert not escalations.with_operator(rt.redis, mine)  # the assistant answers again
    assert [e["contact_id"] for e in escalations.waiting(rt.redis)] == [mine]
    assert escalations.get(rt.redis, theirs)["claimed_by"] == "beto"  # untouched
    assert any(e["action"] == "returned_on_sign_out" and e["contact_id"] == mine
               for e in audit.recent(rt.redis))


def test_supervisors_are_warned_of_a_held_conversation_left_unanswered(app, rt, monkeypatch):
    from webhooks.console import reliability

    contact_id = person(rt, "+5215512340033")
    ana = sign_in(app, "ana")
    ana.post(f"/console/c/{contact_id}/claim", data={"csrf_token": ana.csrf})
    ana.post(f"/console/c/{contact_id}/reply", data={"csrf_token": ana.csrf, "body": "Hola"})
    boss = sign_in(app, "jefa", role="supervisor")
    rt.messages.append_transcript(contact_id, "in", "sigo esperando", sid="SM" + "3" * 32)
    # Just written: too fresh to warn about.
    assert b'id="held-unanswered"' not in boss.get("/console/supervisor").data
    with app.test_request_context():
        later = reliability.unanswered_held(now=time.time() + 11 * 60)
    assert [(h["contact_id"], h["claimed_by"], h["minutes"]) for h in later] == [
        (contact_id, "ana", 11)]
    monkeypatch.setattr(reliability, "UNANSWERED_MINUTES", 0)
    page = boss.get("/console/supervisor")
    assert b'id="held-unanswered"' in page.data and b"for an answer from ana" in page.data
    # Operators do not get the supervisors' warning.
    assert b'id="held-unanswered"' not in ana.get("/console/").data
