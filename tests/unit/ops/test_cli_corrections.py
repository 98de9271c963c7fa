"""`hotline status set` says how many people it left with an outdated answer, and `hotline
corrections send` corrects them: a dry run unless --yes."""

from __future__ import annotations

import pytest

from hotline.content import corrections
from hotline.messaging.channels import parse_address
from hotline.ops import cli
from hotline.outreach import report as bc_report
from webhooks.nlg import Renderer


@pytest.fixture
def env(monkeypatch, settings, redis):
    """The CLI pointed at the unit tests' Redis, with the master secret (reading the contacts
    needs it)."""
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("HOTLINE_SECRET", settings.secret)
    return settings


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def told_mpp_now(rt, n: int) -> str:
    cid = rt.contacts.touch_inbound(parse_address(f"+52155500000{n:02d}"))
    Renderer(rt).render("utter_mpp_now", {}, {"sender_id": cid, "slots": {},
                                               "latest_message": {}})
    return cid


def test_status_set_counts_the_people_it_left_with_an_outdated_answer(env, rt, capsys):
    told_mpp_now(rt, 1)
    code, out, err = run(capsys, "status", "set", "--state", "terminated", "--since",
                         "2026-11-01")
    assert (code, err) == (0, "")
    assert ("1 person received answers this change makes outdated in the last 30 days "
            "(utter_mpp_now)") in out
    assert "./hotline.sh corrections send --days 30" in out
    last = corrections.last_change(rt.redis)
    assert (last.before.state, last.after.state, last.actor) == ("reinstated", "terminated", "cli")
    # Re-checking the same facts outdates nothing.
    code, out, _ = run(capsys, "status", "set", "--as-of", "2026-11-30", "--days", "7")
    assert "0 people received answers this change makes outdated in the last 7 days" in out


def test_corrections_send_is_a_dry_run_unless_yes(env, rt, capsys):
    told_mpp_now(rt, 1)
    told_mpp_now(rt, 2)
    run(capsys, "status", "set", "--state", "suspended", "--since", "2026-11-01")

    code, out, _ = run(capsys, "corrections", "send")
    assert code == 0 and "corrections: 2 (es: 2; sms: 2)" in out
    assert "dry run: nothing sent" in out and bc_report.recent(rt) == []
    code, out, _ = run(capsys, "corrections", "send", "--dry-run", "--days", "10")
    assert code == 0 and bc_report.recent(rt) == []

    code, out, _ = run(capsys, "corrections", "send", "--yes")
    [bc_id] = bc_report.recent(rt)
    assert code == 0 and f"sent to 2 as broadcast {bc_id}" in out
    assert bc_report.report(rt, bc_id)["total"] == 2
    # Sent once: the same change corrects nobody again.
    code, out, _ = run(capsys, "corrections", "send", "--yes")
    assert code == 0 and "nothing to send" in out and len(bc_report.recent(rt)) == 1


def test_corrections_argument_errors(env, capsys):
    for argv in (["corrections"], ["corrections", "send", "--yes", "--dry-run"],
                 ["corrections", "send", "--days", "many"]):
        with pytest.raises(SystemExit) as exit_:
            cli.main(argv)
        assert exit_.value.code == 2 and capsys.readouterr().err.startswith(
            "usage: hotline corrections")
    code, _, err = run(capsys, "corrections", "send")
    assert code == 2 and "no status change recorded" in err
    with pytest.raises(SystemExit) as exit_:
        cli.main(["corrections", "send", "--days", "0"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.startswith("usage: hotline corrections")
    assert "--days is a number of days, 1 or more" in err


def test_status_set_without_the_secret_still_sets_it_and_says_it_cannot_count(env, rt, capsys,
                                                                           monkeypatch):
    told_mpp_now(rt, 1)
    monkeypatch.delenv("HOTLINE_SECRET")
    code, out, err = run(capsys, "status", "set", "--state", "terminated", "--since",
                         "2026-11-01")
    assert code == 0 and out.startswith("state=terminated since=2026-11-01")
    assert "cannot count who received answers" in err and "HOTLINE_SECRET" in err
    assert corrections.last_change(rt.redis).after.state == "terminated"
