"""Which of the two Python environments runs each test (hotline/ops/environments.py).

Each test runs in the environment of the code it tests: what needs Rasa or rasa_sdk under
.venv-rasa (Python 3.10), everything else under .venv (3.12); `./hotline.sh test` runs each lane
in both. Here, at the root, so it also decides for the doctests of actions/. The shared fixtures
are tests/conftest.py.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).parent
# Whole folders and files of the Rasa environment.
RASA_ENV_PATHS = tuple(ROOT / p for p in (
    "actions", "tests/unit/actions", "tests/unit/rasa_ext", "tests/rasa",
    "tests/unit/messaging/test_turns.py"))
# Files of the application's tests holding a few tests marked `rasa_env` (they use Rasa's or the
# actions' own objects).
RASA_ENV_FILES = tuple(ROOT / p for p in (
    "tests/unit/test_erasure.py", "tests/unit/test_logs.py", "tests/unit/ops/test_stack_secrets.py",
    "tests/unit/registration/test_reading.py", "tests/unit/test_redis_connect.py"))
# Installed, not merely importable: tests/rasa is on the path as a namespace package `rasa`.
IN_RASA_ENV = any(d.metadata["Name"] == "rasa" for d in metadata.distributions())


def _within(path: Path, roots) -> bool:
    return any(path == root or root in path.parents for root in roots)


def pytest_ignore_collect(collection_path: Path, config):
    path = Path(collection_path)
    if not IN_RASA_ENV:
        return True if _within(path, RASA_ENV_PATHS) else None
    # The Rasa environment collects its own paths and the folders leading to them, nothing else.
    wanted = RASA_ENV_PATHS + RASA_ENV_FILES
    if _within(path, wanted) or any(path in root.parents for root in wanted):
        return None
    return True


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """A test of the other environment is deselected, never run where its code does not."""
    kept, other = [], []
    for item in items:
        if _within(item.path, RASA_ENV_PATHS):
            item.add_marker(pytest.mark.rasa_env)
        (kept if bool(item.get_closest_marker("rasa_env")) == IN_RASA_ENV else other).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = kept
