"""The hotline's two Python environments, and which one runs each service.

Rasa 3.6 pins Python 3.10 (no security fixes after October 2026) and old twilio, redis and
packaging releases. So the Rasa server with rasa_ext/, the action server (rasa_sdk 3.6 needs
Python < 3.11 too) and training run in the Rasa environment, `.venv-rasa`; the gateway, RQ
workers, sweeper, sandbox and CLI run in the application environment, `.venv`, on Python 3.12 with
current libraries. hotline/ is imported by both, so it stays within what both environments hold.
Their hashed locks are requirements/{app,rasa}{,-test}.txt (`./hotline.sh lock`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from hotline.config import PROJECT_ROOT

VENVS = {"app": PROJECT_ROOT / ".venv", "rasa": PROJECT_ROOT / ".venv-rasa"}
PYTHON_VERSIONS = {"app": (3, 12), "rasa": (3, 10)}
SERVICE_ENVIRONMENTS = {"gateway": "app", "worker": "app", "sweeper": "app", "sandbox": "app",
                        "actions": "rasa", "rasa": "rasa"}


def python(environment: str) -> str:
    """The interpreter of an environment. Where its venv does not exist (a container image holds
    exactly one environment, deploy/Dockerfile), the one running this."""
    candidate = VENVS[environment] / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def service_python(service: str) -> str:
    """The interpreter a service starts with (hotline.ops.stack, `./hotline.sh serve`)."""
    return python(SERVICE_ENVIRONMENTS[service])


def rasa_bin() -> str:
    """Rasa's command line, from the Rasa environment (training, `rasa test`, `rasa data`)."""
    return str(Path(python("rasa")).with_name("rasa"))
