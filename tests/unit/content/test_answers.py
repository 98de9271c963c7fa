"""answers.yml: every catalog id has a complete entry; the variant rule; reviews that fall due."""

from datetime import date

import pytest

from hotline.config import PROJECT_ROOT, Settings
from hotline.content import answers
from hotline.content.answers import AnswersError, Situation
from hotline.content.catalogs import Catalogs
from hotline.content.program_status import Intake, Organization, ProgramStatus

catalogs = Catalogs(PROJECT_ROOT / "locales")


def entry(**changes) -> dict:
    base = {"sources": [{"seed": "002", "part": "How can I register?"}],
            "holds_for": {"states": ["reinstated"], "intake": ["closed"]},
            "reviewed": {"by": "content team", "on": "2026-11-30"}}
    return {**base, **changes}


def test_the_shipped_answers_cover_every_catalog_id():
    entries = answers.load(Settings().answers_file, catalogs.keys())
    assert set(entries) == catalogs.keys()
    assert entries["status_reinstated@intake_closed"].states == ("reinstated",)
    assert entries["broadcast.stay_put"].travel


@pytest.mark.parametrize("raw,message", [
    (entry(sources=[]), "no sources"),
    (entry(sources=[{"seed": "005", "part": "x"}]), "unknown source '005'"),
    (entry(sources=[{"seed": "002"}]), "needs the part"),
    (entry(reviewed={"by": "content team"}), "review date"),
    (entry(reviewed={"on": "2026-11-30"}), "who reviewed"),
    (entry(reviewed={"by": "x", "on": "30/11/2026"}), "review date"),
    (entry(holds_for={"states": ["paused"]}), "holds_for states"),
    (entry(holds_for={"intake": ["maybe"]}), "holds_for intake"),
    (entry(holds_for={"states": []}), "holds_for states"),
    (entry(holds_for={"when": "always"}), "holds_for is"),
    (entry(travel="yes"), "travel is true or false"),
    (entry(source=[]), "unknown keys"),
])
def test_an_incomplete_entry_is_refused_with_a_reason(raw, message):
    with pytest.raises(AnswersError, match=message):
        answers.parse({"utter_x": raw})


def test_a_catalog_id_without_an_entry_or_an_entry_without_an_id_is_refused():
    with pytest.raises(AnswersError, match="without an entry.*utter_y"):
        answers.parse({"utter_x": entry()}, {"utter_x", "utter_y"})
    with pytest.raises(AnswersError, match="not catalog ids.*utter_x"):
        answers.parse({"utter_x": entry()}, set())
    with pytest.raises(AnswersError, match="unknown variant '@intake_maybe'"):
        answers.parse({"utter_x@intake_maybe": entry()})


def test_review_date_is_read_whatever_yaml_made_of_the_on_key():
    import yaml

    bare = yaml.safe_load("x:\n  sources: [{seed: hotline, part: p}]\n"
                          "  reviewed: {by: t, on: 2026-11-30}\n")  # bare `on` is True in YAML
    assert True in bare["x"]["reviewed"]
    for raw in (bare["x"], entry(reviewed={"by": "t", "date": "2026-11-30"}),
                entry(reviewed={"by": "t", "on": date(2026, 11, 30)})):
        assert answers.parse({"x": raw})["x"].reviewed_on == date(2026, 11, 30)


def test_a_missing_holds_for_means_every_situation():
    parsed = answers.parse({"x": entry(holds_for={})})["x"]
    assert parsed.states == ("processing", "suspended", "terminated", "reinstated")
    assert parsed.intake == ("open", "closed")
    assert parsed.holds(Situation("processing", True))


class Ids:
    def __init__(self, *ids):
        self.ids = set(ids)

    def has(self, key):
        return key in self.ids


@pytest.mark.parametrize("ids,situation,said", [
    (("a",), Situation("reinstated", False), "a"),
    (("a", "a@intake_closed"), Situation("reinstated", False), "a@intake_closed"),
    (("a", "a@intake_closed"), Situation("reinstated", True), "a"),
    (("a", "a@intake_open", "a@reinstated"), Situation("reinstated", True), "a@intake_open"),
    (("a", "a@intake_open", "a@reinstated"), Situation("reinstated", False), "a@reinstated"),
    (("a", "a@reinstated"), Situation("terminated", False), "a"),
    ((), Situation("reinstated", False), "a"),  # unknown: the renderer's error path says sorry
])
def test_the_first_existing_of_intake_state_base_is_said(ids, situation, said):
    assert answers.resolve("a", situation, Ids(*ids)) == said


def test_the_real_catalogs_resolve_by_intake():
    closed, opened = Situation("reinstated", False), Situation("reinstated", True)
    assert answers.resolve("utter_ask_reg_consent", closed, catalogs) == (
        "utter_ask_reg_consent@intake_closed")
    assert answers.resolve("utter_ask_reg_consent", opened, catalogs) == "utter_ask_reg_consent"
    assert answers.resolve("status_reinstated", opened, catalogs) == "status_reinstated@intake_open"
    assert answers.resolve("utter_mpp_now", closed, catalogs) == "utter_mpp_now@reinstated"
    assert answers.resolve("utter_mpp_now", Situation("terminated", False), catalogs) == (
        "utter_mpp_now")


def test_overdue_and_due_soon():
    entries = answers.parse({
        "old": entry(reviewed={"by": "t", "on": "2025-11-29"}),
        "edge": entry(reviewed={"by": "t", "on": "2025-11-30"}),
        "soon": entry(reviewed={"by": "t", "on": "2025-12-20"}),
        "fresh": entry(reviewed={"by": "t", "on": "2026-11-01"}),
    })
    today = date(2026, 11, 30)
    assert [a.id for a in answers.overdue(entries, today, 365)] == ["old"]
    assert [a.id for a in answers.due_soon(entries, today, 365)] == ["edge", "soon"]
    assert [a.id for a in answers.overdue(entries, today, 30)] == ["edge", "old", "soon"]


def test_review_period_is_a_setting(monkeypatch):
    assert Settings.from_env().content_review_days == 365
    monkeypatch.setenv("HOTLINE_CONTENT_REVIEW_DAYS", "180")
    assert Settings.from_env().content_review_days == 180


def test_say_gives_todays_wording_with_the_status_values():
    status = ProgramStatus("reinstated", date(2025, 1, 21), date(2026, 11, 2),
                           Intake(True, date(2026, 11, 1), date(2026, 11, 2)),
                           (Organization("Casa X", "+52 000 000 0000", ("registrations",)),),
                           "Red Y")
    consent = answers.say(catalogs, status, "utter_ask_reg_consent", "es")
    assert "Casa X (+52 000 000 0000)" in consent
    assert answers.say(catalogs, status, "keyword.help", "en").startswith(
        "MPP hotline, run by Red Y")
    status_text = answers.say(catalogs, status, "status_reinstated", "es")
    assert "2 de noviembre de 2026" in status_text and "REGISTRO" in status_text
