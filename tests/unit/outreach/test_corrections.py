"""Sending corrections (`outreach.corrections.send`) through the broadcasts and the Twilio
sandbox: a dry run sends nothing; then one correction per person, in their language, never to
someone opted out (even if they opted out after the count), and never twice for one change."""

from __future__ import annotations

from datetime import date

from hotline.content import corrections, program_status, told
from hotline.content.catalogs import format_day
from hotline.messaging.channels import parse_address
from hotline.messaging.sms import for_sms
from hotline.outreach import corrections as sending
from hotline.outreach import receipts
from hotline.outreach import report as bc_report
from hotline.outreach import runner as bc_runner
from support import sandbox_records
from webhooks.nlg import Renderer


def person(rt, n: int, lang: str) -> str:
    cid = rt.contacts.touch_inbound(parse_address(f"+52155500000{n:02d}"))
    rt.contacts.set_language(cid, lang, chosen=True)
    Renderer(rt).render("utter_mpp_now", {}, {"sender_id": cid, "slots": {},
                                               "latest_message": {}})
    return cid


def change_state(rt, state: str) -> corrections.Change:
    now = program_status.load(rt.settings.program_status_file, rt.redis)
    return corrections.set_status(
        rt, now.changed(state=state, since=date(2026, 11, 1), as_of=date(2026, 11, 30)), "t")


def finish(rt, bc_id: str) -> None:
    for _ in range(20):
        bc_runner.run(rt, bc_id)
        if bc_report.report(rt, bc_id)["state"] != "sending":
            return
    raise AssertionError("the broadcast did not finish")


def test_dry_run_first_then_one_correction_per_person_in_their_language(sandbox_rt):
    rt = sandbox_rt
    spanish, english, leaving = person(rt, 1, "es"), person(rt, 2, "en"), person(rt, 3, "es")
    opted_out = person(rt, 4, "es")
    rt.contacts.set_opted_out(opted_out, True)
    change = change_state(rt, "terminated")

    plan = sending.plan(rt, change, days=30)
    preview = sending.send(rt, plan, "ana", dry_run=True)
    assert (preview["count"], preview["by_language"], preview["by_channel"]) == (
        3, {"es": 2, "en": 1}, {"sms": 3})
    assert preview["opted_out"] == 1 and preview["broadcast"] is None
    assert preview["texts"]["es"] == rt.catalogs.text(
        "correction.outdated", "es", date=format_day(change.day, "es"))
    assert sandbox_records(rt.redis) == [] and bc_report.recent(rt) == []
    assert sending.plan(rt, change, days=30).count == 3  # a dry run settles nothing

    rt.contacts.set_opted_out(leaving, True)  # after the count: checked again at the send
    result = sending.send(rt, plan, "ana", dry_run=False)
    assert result["sent_to"] == 3 and result["broadcast"]
    finish(rt, result["broadcast"])

    sent = {(m["to"], m["body"]) for m in sandbox_records(rt.redis)}
    # By SMS, as sent (folded to GSM-7 where that costs fewer segments), to the canonical form.
    assert sent == {("+525550000001", for_sms(preview["texts"]["es"])),
                    ("+525550000002", for_sms(preview["texts"]["en"]))}
    states = receipts.states_of(rt.redis, result["broadcast"], [leaving])
    assert states == [f"{receipts.SKIP}:opted_out"]
    report = bc_report.report(rt, result["broadcast"])
    assert (report["template"], report["sent"], report["opted_out"]) == (
        "correction.outdated", 2, 1)

    # The same change never corrects the same person twice: not by a new plan, not by the
    # old one sent again.
    assert sending.plan(rt, change, days=30).count == 0
    again = sending.send(rt, plan, "ana", dry_run=False)
    assert (again["sent_to"], again["broadcast"]) == (0, None)
    assert len(sandbox_records(rt.redis)) == 2
    # What they were told stays on record, marked corrected.
    assert told.of_contact(rt.redis, spanish)[0].corrected_at is not None

    # Told again after the change, then another change: corrected again, for that one.
    Renderer(rt).render("utter_program_status", {}, {"sender_id": spanish, "slots": {},
                                                      "latest_message": {}})
    later = change_state(rt, "suspended")
    assert sending.plan(rt, later, days=30).recipients == [spanish]
    assert english not in sending.plan(rt, later, days=30).recipients
