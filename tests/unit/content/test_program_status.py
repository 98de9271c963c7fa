"""The program status: dated state and intake, confirmed organizations, who runs the hotline,
staleness, the operators' override in Redis, and `./hotline.sh status` / `content report`."""

import json
from datetime import date

import pytest

from hotline.config import PROJECT_ROOT, Settings
from hotline.content import program_status
from hotline.content.catalogs import Catalogs
from hotline.content.program_status import (
    Intake,
    Organization,
    ProgramStatus,
    Situation,
    StatusError,
)
from hotline.ops import cli

catalogs = Catalogs(PROJECT_ROOT / "locales")
CASA = Organization("Casa X", "+52 000 000 0000", ("registrations", "legal_help"))
CLINICA = Organization("Clínica Y", "clinica.example", ("legal_help",))


def status(**changes) -> ProgramStatus:
    data = {"state": "reinstated", "since": "2025-01-21", "as_of": "2026-11-20",
            "intake": {"open": False, "since": "2025-01-21", "as_of": "2026-11-20"},
            "organizations": [], "run_by": None}
    return ProgramStatus.from_mapping({**data, **changes})


def test_the_shipped_status_is_reinstated_and_knows_no_open_intake():
    shipped = program_status.load_file(Settings().program_status_file)
    assert (shipped.state, shipped.since, shipped.as_of) == (
        "reinstated", date(2025, 1, 21), date(2025, 1, 22))
    assert shipped.intake == Intake(False, date(2025, 1, 21), date(2025, 1, 22))
    assert shipped.organizations == () and shipped.run_by is None
    assert shipped.situation == Situation("reinstated", False)
    text = Settings().program_status_file.read_text()
    assert "2019           MPP begins" in text and "2019-01" not in text


def test_a_status_without_intake_knows_none_open():
    old = ProgramStatus.from_mapping({"state": "terminated", "since": "2031-03-04",
                                      "as_of": "2031-03-05"})
    assert old.intake == Intake(False, date(2031, 3, 4), date(2031, 3, 5))


def test_intake_cannot_be_open_with_nobody_to_receive_registrations():
    opened = {"open": True, "since": "2026-11-01", "as_of": "2026-11-20"}
    with pytest.raises(StatusError, match="no organization receives registrations"):
        status(intake=opened)
    with pytest.raises(StatusError, match="no organization receives registrations"):
        status(intake=opened, organizations=[CLINICA.as_mapping()])
    assert status(intake=opened, organizations=[CASA.as_mapping()]).intake.open


@pytest.mark.parametrize("changes,message", [
    ({"state": "paused"}, "state must be one of"),
    ({"since": "2026-12-01"}, "'since' cannot be later"),
    ({"as_of": "22/01/2025"}, "YYYY-MM-DD"),
    ({"intake": {"open": "no", "since": "2025-01-21", "as_of": "2025-01-22"}}, "true or false"),
    ({"intake": {"open": False, "since": "2025-01-23", "as_of": "2025-01-22"}}, "intake 'since'"),
    ({"intake": {"open": False}}, "intake needs 'since'"),
    ({"organizations": [{"name": "X", "contact": "y", "roles": ["lawyering"]}]}, "roles"),
    ({"organizations": [{"name": "X", "roles": ["legal_help"]}]}, "how to reach"),
    ({"organizations": {"name": "X"}}, "a list"),
    ({"run_by": 5}, "run_by is a name"),
])
def test_a_wrong_status_is_refused_with_a_reason(changes, message):
    with pytest.raises(StatusError, match=message):
        status(**changes)


def test_organizations_as_operators_type_them():
    assert Organization.parse("Casa X | +52 000 000 0000 | registrations,legal_help") == CASA
    for bad in ("Casa X|+52", "Casa X|+52|", "Casa X|+52|money"):
        with pytest.raises(StatusError):
            Organization.parse(bad)


def test_values_name_the_organizations_in_the_persons_language():
    current = status(organizations=[CASA.as_mapping(), CLINICA.as_mapping()], run_by="Red Z")
    es, en = current.values("es", catalogs), current.values("en", catalogs)
    assert es["organizations"] == "Casa X (+52 000 000 0000)"
    assert es["legal_orgs"] == "Casa X (+52 000 000 0000) y Clínica Y (clinica.example)"
    assert en["legal_orgs"] == "Casa X (+52 000 000 0000) and Clínica Y (clinica.example)"
    assert (es["since"], en["as_of"], es["intake_as_of"]) == (
        "21 de enero de 2025", "November 20, 2026", "20 de noviembre de 2026")
    assert es["run_by"] == "Red Z"


def test_values_say_so_when_operators_have_set_nothing():
    values = status().values("es", catalogs)
    assert values["organizations"] == values["legal_orgs"] == catalogs.text("orgs.none", "es")
    assert values["run_by"] == catalogs.text("run_by.none", "es")


def test_stale_when_the_state_or_the_intake_is_older_than_the_limit():
    current = status(intake={"open": False, "since": "2025-01-21", "as_of": "2026-10-01"})
    assert current.age_days(date(2026, 11, 20)) == 50
    assert current.stale(date(2026, 11, 20), 30) and not current.stale(date(2026, 11, 20), 50)
    assert not status().stale(date(2026, 12, 20), 30) and status().stale(date(2026, 12, 21), 30)


def test_status_age_limit_is_a_setting(monkeypatch):
    assert Settings.from_env().status_max_age_days == 30
    monkeypatch.setenv("HOTLINE_STATUS_MAX_AGE_DAYS", "14")
    assert Settings.from_env().status_max_age_days == 14


def test_the_override_holds_the_whole_document(redis):
    path = Settings().program_status_file
    changed = status(intake={"open": True, "since": "2026-11-01", "as_of": "2026-11-20"},
                     organizations=[CASA.as_mapping()], run_by="Red Z")
    program_status.store_override(redis, changed)
    assert json.loads(redis.get(program_status.REDIS_KEY))["organizations"][0]["name"] == "Casa X"
    assert program_status.load(path, redis) == changed
    program_status.clear_override(redis)
    assert program_status.load(path, redis) == program_status.load_file(path)


def test_an_override_stored_before_the_status_grew_still_works(redis):
    redis.hset(program_status.REDIS_KEY, mapping={"state": "terminated", "since": "2031-03-04",
                                                  "as_of": "2031-03-05"})
    loaded = program_status.load(Settings().program_status_file, redis)
    assert (loaded.state, loaded.as_of, loaded.intake.open) == ("terminated", date(2031, 3, 5),
                                                                False)


# The command line ---------------------------------------------------------------------------
@pytest.fixture
def cli_redis(redis, settings, monkeypatch):
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setattr(cli, "_run_env", lambda: {})
    return redis


def test_status_shows_the_grown_status_and_warns_when_stale(cli_redis, capsys):
    assert cli.main(["status"]) == 0
    out = capsys.readouterr().out
    assert "state=reinstated since=2025-01-21 as_of=2025-01-22" in out
    assert "intake=closed" in out and "org=(none)" in out
    assert "WARNING: the status was last verified" in out
    assert "WARNING: who runs the hotline is not set" in out


def test_status_set_opens_intake_only_with_an_organization(cli_redis, capsys):
    assert cli.main(["status", "set", "--intake", "open"]) == 2
    assert "no organization receives registrations" in capsys.readouterr().err
    assert cli.main(["status", "set", "--intake", "open", "--org",
                     "Casa X|+52 000 000 0000|registrations,legal_help",
                     "--run-by", "Red Z"]) == 0
    loaded = program_status.load(Settings().program_status_file, cli_redis)
    assert loaded.intake.open and loaded.intake.as_of == date.today()
    assert loaded.intake.since == date.today() and loaded.organizations == (CASA,)
    assert loaded.run_by == "Red Z"
    assert (loaded.state, loaded.as_of) == ("reinstated", date(2025, 1, 22))  # untouched
    out = capsys.readouterr().out
    assert "org=Casa X | +52 000 000 0000 | registrations,legal_help" in out
    assert cli.main(["status", "set", "--state", "terminated", "--since", "2026-11-01"]) == 0
    loaded = program_status.load(Settings().program_status_file, cli_redis)
    assert (loaded.state, loaded.as_of, loaded.intake.open) == (
        "terminated", date.today(), True)
    assert "WARNING: the status" not in capsys.readouterr().out
    assert cli.main(["status", "set", "--intake", "closed", "--clear-orgs"]) == 0
    assert program_status.load(Settings().program_status_file, cli_redis).organizations == ()
    assert cli.main(["status", "clear"]) == 0
    assert program_status.load(Settings().program_status_file, cli_redis).state == "reinstated"


def test_content_report_prints_and_writes_markdown(cli_redis, tmp_path, capsys):
    out_file = tmp_path / "report.md"
    assert cli.main(["content", "report", "--out", str(out_file)]) == 0
    printed = capsys.readouterr().out
    written = out_file.read_text()
    assert printed == written
    assert written.startswith("# Content report")
    assert f"- **Ids:** {len(catalogs.keys())} " in written
    assert "overdue 0" in written and "WARNING: the program status was last verified" in written
    section = written.split("## utter_ask_reg_consent\n", 1)[1].split("\n## ", 1)[0]
    assert "### utter_ask_reg_consent@intake_closed" in section
    assert "Holds for: all states; intake open" in section
    assert "- ES: GSM-7" in section and "1. Sí" in section


def test_an_edit_of_the_file_is_read_at_the_next_call_however_soon(tmp_path, monkeypatch):
    """The parsed status is kept while the file's text is the same (every rendered answer asks
    for it); an edit, even one made in the same instant and of the same length, is read."""
    path = tmp_path / "program_status.yml"
    document = ("current:\n  state: {}\n  since: 2025-01-21\n  as_of: 2026-11-20\n")
    path.write_text(document.format("reinstated"))
    parsed = []
    real_load = program_status.yaml.safe_load
    monkeypatch.setattr(program_status.yaml, "safe_load",
                        lambda text: parsed.append(1) or real_load(text))
    first = program_status.load_file(path)
    assert program_status.load_file(path) is first and len(parsed) == 1
    path.write_text(document.format("terminated"))
    assert program_status.load_file(path).state == "terminated" and len(parsed) == 2
    path.write_text(document.format("reinstated"))
    assert program_status.load_file(path) == first
    path.write_text("current: {state: nonsense}\n")
    with pytest.raises(StatusError):
        program_status.load_file(path)
