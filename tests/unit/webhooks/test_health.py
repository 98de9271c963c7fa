"""The readiness detail reports the program status in force and how old it is, and a stale
status never makes the gateway unready."""

from __future__ import annotations

from datetime import date, timedelta

from hotline.content import corrections, program_status


def test_readiness_reports_the_program_status_and_whether_it_is_stale(client, rt):
    in_file = program_status.load_file(rt.settings.program_status_file)
    detail = client.get("/readyz").get_json()
    age = in_file.age_days(date.today())
    assert detail["program_status"] == {
        "state": in_file.state, "as_of": in_file.as_of.isoformat(),
        "intake_as_of": in_file.intake.as_of.isoformat(), "age_days": age,
        "stale": age > rt.settings.status_max_age_days}
    # Only Redis, Rasa and the action server decide readiness (here Rasa is not running).
    assert set(detail["checks"]) == {"redis", "rasa", "action_server"}

    checked = date.today() - timedelta(days=3)
    corrections.set_status(rt, in_file.changed(
        state="terminated", as_of=checked,
        intake=program_status.Intake(False, in_file.intake.since, checked)), "test")
    now = client.get("/readyz").get_json()["program_status"]
    assert (now["state"], now["age_days"], now["stale"]) == ("terminated", 3, False)


def test_a_burst_of_readiness_requests_checks_the_peers_once(app, client, monkeypatch):
    # The review's L8: each anonymous /readyz made two HTTP calls of up to 3 s.
    rt = app.extensions["hotline"]
    calls = []
    monkeypatch.setattr(type(rt.assistant), "rasa_alive", lambda self: calls.append(1) or True)
    monkeypatch.setattr(type(rt.assistant), "actions_alive", lambda self: True)
    app.extensions.pop("hotline.readyz", None)
    for _ in range(20):
        assert client.get("/readyz").get_json()["checks"]["rasa"] is True
    assert len(calls) == 1
