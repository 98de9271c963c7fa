"""The Rasa environment (hotline/ops/environments.py): Python 3.10 with Rasa 3.6 and the
versions its hashed lock names, nothing else."""

from __future__ import annotations

import re
import sys
from importlib import metadata

from hotline.config import PROJECT_ROOT
from hotline.ops import environments


def locked(name: str) -> dict[str, str]:
    text = (PROJECT_ROOT / "requirements" / f"{name}.txt").read_text()
    return {re.sub(r"[-_.]+", "-", m.group(1)).lower(): m.group(2)
            for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", text, re.M)}


def test_this_environment_is_the_rasa_one_on_310():
    assert sys.version_info[:2] == environments.PYTHON_VERSIONS["rasa"] == (3, 10)
    assert metadata.version("rasa") == "3.6.21" and metadata.version("rasa-sdk") == "3.6.2"


def test_this_environment_holds_exactly_its_test_lock():
    installed = {re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(): d.version
                 for d in metadata.distributions()}
    differ = {p: (v, installed.get(p)) for p, v in locked("rasa-test").items()
              if installed.get(p) != v}
    assert not differ, f"installed differs from requirements/rasa-test.txt: {differ}"
