"""Which answers a change made untrue, and exactly who was told them (`content.corrections`, and
`outreach.corrections.plan`, which leaves out whoever cannot be written to)."""

from __future__ import annotations

import time
from datetime import date

import pytest

from hotline.content import corrections, program_status, told
from hotline.content.program_status import Intake, Organization
from hotline.messaging.channels import parse_address
from hotline.outreach import corrections as sending
from webhooks.nlg import Renderer

TODAY = date(2026, 11, 30)
RECEIVING = Organization("Casa Norte", "+52 664 000 0000", ("registrations",))
LEGAL = Organization("Abogadas Unidas", "+52 664 111 1111", ("legal_help",))


def person(rt, n: int, lang: str = "es", opted_out: bool = False) -> str:
    cid = rt.contacts.touch_inbound(parse_address(f"+52155500000{n:02d}"))
    rt.contacts.set_language(cid, lang, chosen=True)
    if opted_out:
        rt.contacts.set_opted_out(cid, True)
    return cid


def tell(rt, cid: str, *responses: str) -> None:
    """What the NLG endpoint does when Rasa asks for these responses in this person's turn."""
    renderer = Renderer(rt)
    for response in responses:
        renderer.render(response, {}, {"sender_id": cid, "slots": {}, "latest_message": {}})


def status(rt) -> program_status.ProgramStatus:
    return program_status.load(rt.settings.program_status_file, rt.redis)


def change(rt, **fields) -> corrections.Change:
    return corrections.set_status(rt, status(rt).changed(**fields), "test")


def test_a_state_change_outdates_the_answers_whose_wording_depends_on_it(rt):
    told_mpp, told_status, told_other = person(rt, 1), person(rt, 2, "en"), person(rt, 3)
    opted_out = person(rt, 4, opted_out=True)
    tell(rt, told_mpp, "utter_mpp_now")  # said as utter_mpp_now@reinstated
    tell(rt, told_status, "utter_program_status")
    tell(rt, told_other, "utter_cost_scam")
    tell(rt, opted_out, "utter_mpp_now")

    made = change(rt, state="terminated", since=date(2026, 11, 1), as_of=TODAY)
    told_after = person(rt, 5)
    tell(rt, told_after, "utter_mpp_now")  # already the new wording

    found = corrections.outdated_by(rt, made, days=30)
    assert found.contacts == sorted([told_mpp, told_status, opted_out])
    assert found.ids == ["status_reinstated", "utter_mpp_now"]
    assert found.reasons == {"status_reinstated": "status", "utter_mpp_now": "status"}
    plan = sending.plan(rt, made, days=30)
    assert plan.recipients == sorted([told_mpp, told_status]) and plan.count == 2
    assert (plan.opted_out, plan.by_language, plan.by_channel) == (1, {"es": 1, "en": 1},
                                                                    {"sms": 2})
    assert corrections.describe(found, plan.count) == (
        "2 people received answers this change makes outdated in the last 30 days "
        "(status_reinstated, utter_mpp_now)")


def test_intake_closing_outdates_what_was_said_while_it_was_open(rt):
    change(rt, organizations=(RECEIVING,), intake=Intake(True, date(2026, 10, 1), TODAY))
    told_steps, told_other = person(rt, 1), person(rt, 2)
    tell(rt, told_steps, "utter_next_steps")  # said as utter_next_steps@intake_open
    tell(rt, told_other, "utter_cost_scam", "utter_mpp_now")

    made = change(rt, intake=Intake(False, TODAY, TODAY))

    plan = sending.plan(rt, made, days=30)
    assert plan.recipients == [told_steps] and plan.ids == ["utter_next_steps"]


def test_changed_organizations_outdate_the_answers_that_name_them(rt):
    change(rt, organizations=(LEGAL,))
    told_legal, told_other = person(rt, 1), person(rt, 2)
    tell(rt, told_legal, "utter_legal_help")
    tell(rt, told_other, "utter_mpp_now", "utter_program_status")

    checked_again = change(rt, as_of=TODAY, intake=Intake(False, status(rt).intake.since, TODAY))
    # Checking the same facts again makes nothing said before untrue.
    assert sending.plan(rt, checked_again, days=30).count == 0

    other_lawyers = Organization("Defensoría", "+52 664 222 2222", ("legal_help",))
    made = change(rt, organizations=(other_lawyers,))
    plan = sending.plan(rt, made, days=30)
    assert plan.recipients == [told_legal] and plan.ids == ["utter_legal_help"]


def test_an_edited_answer_is_outdated_whatever_the_status(rt):
    edited, current = person(rt, 1), person(rt, 2)
    tell(rt, current, "utter_cost_scam")
    # Told before the catalog entry was edited: the version recorded is the old one.
    told.record(rt.redis, edited, "utter_cost_scam", "0ld0ld0ld0l",
                rt.settings.told_days, at=time.time() - 60)

    unchanged = corrections.record_change(rt.redis, status(rt), status(rt), "test", TODAY)

    found = corrections.outdated_by(rt, unchanged, days=30)
    assert found.contacts == [edited] and found.reasons == {"utter_cost_scam": "content"}
    assert "utter_cost_scam (edited)" in corrections.describe(found)


@pytest.mark.parametrize("days,counted", [(30, False), (60, True)])
def test_only_what_was_told_in_the_period_counts(rt, days, counted):
    cid = person(rt, 1)
    told.record(rt.redis, cid, "utter_mpp_now@reinstated",
                told.content_version(rt.catalogs, "utter_mpp_now@reinstated"),
                rt.settings.told_days, at=time.time() - 40 * told.DAY)
    made = change(rt, state="suspended", since=date(2026, 11, 1), as_of=TODAY)
    assert sending.plan(rt, made, days=days).recipients == ([cid] if counted else [])


def test_changes_are_recorded_with_the_status_before_and_after(rt):
    before = status(rt)
    made = change(rt, state="terminated", since=date(2026, 11, 1), as_of=TODAY)
    last = corrections.last_change(rt.redis)
    assert last == made and (last.before, last.after.state) == (before, "terminated")
    assert last.actor == "test" and last.day == corrections.today(rt.settings)
    cleared = corrections.set_status(rt, None, "test")
    assert cleared.after == program_status.load_file(rt.settings.program_status_file)
    assert corrections.last_change(rt.redis).id == cleared.id
