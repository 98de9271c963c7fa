"""The conversation test stories (tests/rasa/stories/) pass against the trained model."""

import subprocess

import pytest

from hotline.config import PROJECT_ROOT
from hotline.ops.training import ensure_trained, rasa_bin, rasa_env

pytestmark = pytest.mark.rasa


def rasa(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([rasa_bin(), *args], cwd=PROJECT_ROOT, env=rasa_env(), text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)


def test_conversation_stories_pass(tmp_path):
    model = ensure_trained()
    result = rasa("test", "core", "--model", str(model), "--stories", "tests/rasa/stories",
                  "--out", str(tmp_path), "--fail-on-prediction-errors")
    failed = (tmp_path / "failed_test_stories.yml")
    details = failed.read_text()[-4000:] if failed.exists() else result.stdout[-4000:]
    assert result.returncode == 0, details
