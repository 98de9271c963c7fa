"""A change to the intent classifier's code retrains the model, as a change to its data does."""

import shutil

from hotline.ops import training


def test_the_classifier_code_is_part_of_the_fingerprint(tmp_path):
    for name in ("config.yml", "rasa_ext/classifier.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(training.PROJECT_ROOT / name, tmp_path / name)
    before = training.fingerprint(tmp_path)
    with (tmp_path / "rasa_ext" / "classifier.py").open("a") as fh:
        fh.write("\n# changed\n")
    assert training.fingerprint(tmp_path) != before
