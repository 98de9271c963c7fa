"""`./hotline.sh nlu export-labeled` reaches the export of labelled messages."""

from hotline.messaging import misunderstood
from hotline.ops import cli


def test_the_cli_exports(monkeypatch, rt, tmp_path, capsys):
    monkeypatch.setattr(cli, "_runtime", lambda: rt)
    assert cli.main(["nlu", "export-labeled", "--out", str(tmp_path)]) == 0
    assert "no labelled messages yet" in capsys.readouterr().out


def test_the_cli_writes_the_labelled_ones(monkeypatch, rt, tmp_path, capsys):
    monkeypatch.setattr(cli, "_runtime", lambda: rt)
    entry_id = misunderstood.record(rt.redis, rt.vault, "c1", "cuanto cuesta, soy de Tijuana",
                                    "es", "utter_default", ["cost_scam"], "m1", 90)
    misunderstood.label(rt.redis, entry_id, "cost_scam", "jefa")
    assert cli.main(["nlu", "export-labeled", "--out", str(tmp_path)]) == 0
    assert "es: 1 labelled examples" in capsys.readouterr().out
    assert "cuanto cuesta, soy de LUGAR" in (tmp_path / "labeled_es.yml").read_text()
