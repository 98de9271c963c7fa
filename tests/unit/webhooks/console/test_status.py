"""The console's program status page: supervisors see and change the status (audited, in force
on the next message, no restart), count and send corrections (dry run first); operators may
not; every page warns supervisors while the status is stale."""

from __future__ import annotations

import re
from datetime import date
from functools import partial

from hotline.content import program_status
from hotline.handoff import audit
from hotline.messaging.channels import parse_address
from hotline.outreach import report as bc_report
from support.console import sign_in as console_sign_in

# These tests read the console in English.
sign_in = partial(console_sign_in, lang="en")

STALE = b"The program status was last verified"





def form(client, **changes) -> dict:
    today = date.today().isoformat()
    data = {"csrf_token": client.csrf, "state": "reinstated", "since": "2025-01-21",
            "as_of": today, "intake": "closed", "intake_since": "2025-01-21",
            "intake_as_of": today, "organizations": "", "run_by": ""}
    return {**data, **changes}


def nlg_text(app, response: str, sender: str = "c-nobody") -> str:
    tracker = {"sender_id": sender, "slots": {}, "latest_message": {"metadata": {}}}
    answer = app.test_client().post("/nlg", headers={"Authorization": "Bearer nlg-token"}, json={
        "response": response, "arguments": {}, "tracker": tracker, "channel": {}})
    return answer.get_json()["text"]


def test_a_supervisor_changes_the_status_and_the_next_answer_says_it(app, rt):
    boss = sign_in(app, "jefa", role="supervisor")
    page = boss.get("/console/status")
    assert page.status_code == 200 and b'id="status-form"' in page.data
    assert b"reinstated" in page.data
    before = nlg_text(app, "utter_program_status")

    response = boss.post("/console/status", data=form(
        boss, state="terminated", since="2026-11-01",
        organizations="Casa Norte | +52 664 000 0000 | registrations\n",
        intake="open", run_by="Red de Albergues"))

    assert response.status_code == 302
    status = program_status.load(rt.settings.program_status_file, rt.redis)
    assert (status.state, status.since, status.intake.open, status.run_by) == (
        "terminated", date(2026, 11, 1), True, "Red de Albergues")
    assert [o.name for o in status.receiving()] == ["Casa Norte"]
    # The same running app, the next message: the new status's words.
    after = nlg_text(app, "utter_program_status")
    assert after != before
    assert after == rt.catalogs.text("status_terminated@intake_open", "es",
                                     **status.values("es", rt.catalogs))
    [entry] = [e for e in audit.recent(rt.redis) if e["action"] == "status_set"]
    assert (entry["operator"], entry["state"], entry["intake"]) == ("jefa", "terminated", "open")
    assert b"Casa Norte" in boss.get("/console/status").data


def test_a_status_that_cannot_be_true_is_refused_with_the_reason(app, rt):
    boss = sign_in(app, "jefa", role="supervisor")
    response = boss.post("/console/status", data=form(boss, intake="open"))
    assert response.status_code == 400 and b"The status was not saved" in response.data
    assert b"no organization receives registrations" in response.data
    assert boss.post("/console/status", data=form(boss, since="yesterday")).status_code == 400
    assert program_status.load(rt.settings.program_status_file, rt.redis) == \
        program_status.load_file(rt.settings.program_status_file)


def test_operators_may_not_see_or_change_the_status(app, rt):
    ana = sign_in(app, "ana")
    assert ana.get("/console/status").status_code == 403
    assert ana.post("/console/status", data=form(ana, state="terminated")).status_code == 403
    assert ana.post("/console/status/corrections", data={"csrf_token": ana.csrf}
                    ).status_code == 403
    assert program_status.load(rt.settings.program_status_file, rt.redis).state == "reinstated"
    assert b"/console/status" not in ana.get("/console/").data


def test_changing_the_status_needs_the_csrf_token(app, rt):
    boss = sign_in(app, "jefa", role="supervisor")
    data = form(boss, state="terminated")
    del data["csrf_token"]
    assert boss.post("/console/status", data=data).status_code == 400
    assert program_status.load(rt.settings.program_status_file, rt.redis).state == "reinstated"


def test_supervisors_count_and_send_corrections_dry_run_first(app, rt):
    told = rt.contacts.touch_inbound(parse_address("+5215550000001"))
    nlg_text(app, "utter_mpp_now", sender=told)
    boss = sign_in(app, "jefa", role="supervisor")
    boss.post("/console/status", data=form(boss, state="terminated", since="2026-11-01"))

    page = boss.get("/console/status").data
    assert re.search(rb'id="outdated-count">1<', page) and b"utter_mpp_now" in page
    change = re.search(rb'name="change" value="([^"]+)"', page).group(1).decode()

    dry = boss.post("/console/status/corrections", data={"csrf_token": boss.csrf,
                                                        "change": change, "days": "30"})
    assert dry.status_code == 200 and re.search(rb'id="dry-run-count">1<', dry.data)
    assert b'id="confirm-corrections"' in dry.data and bc_report.recent(rt) == []

    stale = boss.post("/console/status/corrections", data={
        "csrf_token": boss.csrf, "change": "CHother", "days": "30", "confirm": "1"})
    assert stale.status_code == 409 and bc_report.recent(rt) == []

    sent = boss.post("/console/status/corrections", data={
        "csrf_token": boss.csrf, "change": change, "days": "30", "confirm": "1"})
    [bc_id] = bc_report.recent(rt)
    assert sent.status_code == 200 and b'id="corrections-sent"' in sent.data
    assert bc_report.report(rt, bc_id)["total"] == 1
    [entry] = [e for e in audit.recent(rt.redis) if e["action"] == "corrections_sent"]
    assert (entry["broadcast"], entry["sent_to"], entry["change"]) == (bc_id, 1, change)
    assert re.search(rb'id="outdated-count">0<', boss.get("/console/status").data)


def test_supervisors_are_warned_on_every_page_while_the_status_is_stale(app, rt):
    boss = sign_in(app, "jefa", role="supervisor")
    ana = sign_in(app, "ana")
    in_file = program_status.load_file(rt.settings.program_status_file)
    assert in_file.stale(date.today(), rt.settings.status_max_age_days)  # verified in 2025
    for path in ("/console/", "/console/supervisor", "/console/status"):
        assert STALE in boss.get(path).data
    assert STALE not in ana.get("/console/").data
    assert "se verificó por última vez".encode() in boss.get("/console/?lang=es").data

    boss.post("/console/status", data=form(boss))  # checked today
    assert STALE not in boss.get("/console/?lang=en").data
