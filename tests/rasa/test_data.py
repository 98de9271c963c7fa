"""Rasa's own checks of the training data: it validates cleanly, every topic has enough
examples in each language, and held-out lines never become training data."""

import subprocess

import pytest

from hotline.config import PROJECT_ROOT
from hotline.ops.evaluation import (
    DEV_OPT_OUT_2,
    DEV_OPT_OUT_3,
    FROZEN_OPT_OUT,
    development_set,
    frozen_held_out,
    held_out,
    opt_out_list,
    read_examples,
    training_examples,
)
from hotline.ops.training import rasa_bin, rasa_env

pytestmark = pytest.mark.rasa

TOPICS = [
    "program_overview", "program_status", "eligibility", "closed_case", "register",
    "border_warning", "locations", "next_steps", "covid", "not_in_mexico", "transportation",
    "vetting", "duration", "priority", "case_not_verified", "after_case", "monitoring",
    "case_status", "cost_scam", "in_us_case", "legal_help", "documents", "greet", "goodbye",
    "thanks", "affirm", "deny", "bot_challenge", "help", "human_handoff", "emergency",
    "change_language", "registration_status", "delete_data", "out_of_scope",
    "border_open", "mpp_now", "safety_waiting", "about_hotline", "message_delivery",
]


def rasa(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([rasa_bin(), *args], cwd=PROJECT_ROOT, env=rasa_env(), text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)


def test_training_data_validates_without_warnings():
    result = rasa("data", "validate", "--config", "config.yml", "--domain", "bot/domain",
                  "--data", "nlu_data", "bot/rules", "bot/stories", "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "UserWarning" not in result.stdout, result.stdout[-4000:]


def test_every_topic_has_enough_examples_in_each_language():
    counts = {}
    for example in training_examples():
        counts[(example.intent, example.lang)] = counts.get((example.intent, example.lang), 0) + 1
    for topic in TOPICS:
        assert counts.get((topic, "es"), 0) >= 30, topic
        assert counts.get((topic, "en"), 0) >= 25, topic


def test_held_out_set_is_never_training_data():
    train = {e.text.casefold().strip() for e in training_examples()}
    every_held_out = held_out() + frozen_held_out()
    leaked = [e.text for e in every_held_out if e.text.casefold().strip() in train]
    assert not leaked
    assert {e.intent for e in every_held_out} >= set(TOPICS)


def test_opt_out_lists_are_never_training_data():
    # The frozen list and the development list score the model's reading of opting out; a line
    # of theirs in nlu_data/ would be read back from memory. (The rules' list was written for
    # the rules, and the plainest of its requests are training lines too.)
    train = {" ".join(e.text.casefold().split()) for e in training_examples()}
    for folder in (FROZEN_OPT_OUT, DEV_OPT_OUT_2, DEV_OPT_OUT_3):
        lines = opt_out_list(folder)
        assert len(lines) >= 200, folder
        assert not [e.text for e in lines if " ".join(e.text.casefold().split()) in train], folder


def test_development_set_is_never_training_data_and_covers_every_topic():
    # The set pipelines are chosen on: a line also in nlu_data/ would score the model on what
    # it learnt by heart.
    train = {e.text.casefold().strip() for e in training_examples()}
    dev = development_set()
    assert not [e.text for e in dev if e.text.casefold().strip() in train]
    for lang in ("en", "es"):
        counts = {}
        for e in dev:
            if e.lang == lang:
                counts[e.intent] = counts.get(e.intent, 0) + 1
        assert set(counts) >= set(TOPICS) and min(counts.values()) >= 10, lang


def test_training_paths_hold_no_test_stories():
    for path in (PROJECT_ROOT / "bot").rglob("test_*.yml"):
        pytest.fail(f"{path} would become training data")
    assert read_examples(PROJECT_ROOT / "tests" / "rasa" / "nlu" / "hard_es.yml", "es")
