"""Training the assistant only when its training data changed.

The model file is named after a hash of everything that shapes it (config, domain, rules,
stories, NLU data), so `run` and the tests reuse a model as long as nothing changed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from pathlib import Path

from hotline.config import PROJECT_ROOT
from hotline.ops import environments

log = logging.getLogger(__name__)

# The intent classifier's code shapes the model as much as its data does.
TRAINING_INPUTS = ("config.yml", "bot/domain", "bot/rules", "bot/stories", "nlu_data",
                   "rasa_ext/classifier.py")
MODELS_DIR = PROJECT_ROOT / "models"


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = root / name
        files = sorted(path.rglob("*.yml")) if path.is_dir() else [path] if path.exists() else []
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return MODELS_DIR / f"hotline-{fingerprint(root)}.tar.gz"


def rasa_env() -> dict:
    """The environment Rasa's processes start with: ours, with TensorFlow kept quiet and small."""
    # Not reading configuration: a child process inherits this process's environment.
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Two cores: keep TensorFlow from oversubscribing them.
    env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "2")
    env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    return env


def rasa_bin() -> str:
    """Rasa's CLI lives in the Rasa environment, whichever environment asks."""
    return environments.rasa_bin()


def ensure_trained(root: Path = PROJECT_ROOT, quiet: bool = False) -> Path:
    """The model for the current training data, training it first if needed."""
    target = model_path(root)
    if target.exists():
        return target
    MODELS_DIR.mkdir(exist_ok=True)
    command = [
        rasa_bin(), "train", "--config", "config.yml", "--domain", "bot/domain",
        "--data", "nlu_data", "bot/rules", "bot/stories",
        "--out", str(MODELS_DIR), "--fixed-model-name", target.name[: -len(".tar.gz")],
    ]
    log.info("training the assistant (data changed): %s", target.name)
    result = subprocess.run(command, cwd=root, env=rasa_env(),
                            stdout=subprocess.PIPE if quiet else None,
                            stderr=subprocess.STDOUT if quiet else None, text=True)
    if result.returncode != 0 or not target.exists():
        tail = (result.stdout or "")[-3000:] if quiet else ""
        raise RuntimeError(f"rasa train failed (exit {result.returncode})\n{tail}")
    return target


if __name__ == "__main__":
    path = model_path()
    if not path.exists():
        print(f"training the assistant ({path.name}); this takes a few minutes...", flush=True)
    print(f"model: {ensure_trained()}", flush=True)
