"""How well the assistant understands people, per language.

`./hotline.sh eval` scores the trained model on the held-out set in tests/rasa/nlu/ (never used
for training) and prints, per language, macro-F1, accuracy and the most confused topic pairs.
`--cv 5` adds k-fold cross-validation over the training data (k NLU-only trainings).
"""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from hotline.config import PROJECT_ROOT
from hotline.ops.training import rasa_bin, rasa_env
from rasa_ext.nlu import Parser

HELD_OUT = PROJECT_ROOT / "tests" / "rasa" / "nlu"
FROZEN = PROJECT_ROOT / "tests" / "rasa" / "heldout"
FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    lang: str


def read_examples(path: Path, lang: str) -> list[Example]:
    data = yaml.safe_load(path.read_text()) or {}
    examples = []
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(Example(line[2:].strip(), block["intent"], lang))
    return examples


def held_out() -> list[Example]:
    """Every held-out file: tests/rasa/nlu/<set>_<lang>.yml (several independent writers)."""
    return [e for lang in ("en", "es") for path in sorted(HELD_OUT.glob(f"*_{lang}.yml"))
            for e in read_examples(path, lang)]


def frozen_held_out() -> list[Example]:
    """The held-out set written before the data and pipeline changes of late 2026, frozen by
    its hash (tests/rasa/heldout/SHA256SUMS): a score on it means something only while nobody
    has tuned against it."""
    return [e for lang in ("en", "es") for e in read_examples(FROZEN / f"{lang}.yml", lang)]


def training_examples() -> list[Example]:
    return [e for lang in ("en", "es")
            for path in sorted((PROJECT_ROOT / "nlu_data" / lang).glob("*.yml"))
            for e in read_examples(path, lang)]


def score(pairs: list[tuple[str, str]]) -> dict:
    """Macro-F1 over the gold topics, accuracy, and the most confused (gold, predicted) pairs."""
    gold_labels = sorted({g for g, _ in pairs})
    tp, fp, fn = Counter(), Counter(), Counter()
    for gold, pred in pairs:
        if gold == pred:
            tp[gold] += 1
        else:
            fn[gold] += 1
            fp[pred] += 1
    f1s = {}
    for label in gold_labels:
        precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1s[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    confused = Counter((g, p) for g, p in pairs if g != p)
    return {
        "n": len(pairs),
        "macro_f1": sum(f1s.values()) / len(f1s) if f1s else 0.0,
        "accuracy": sum(tp.values()) / len(pairs) if pairs else 0.0,
        "worst_topics": sorted(f1s.items(), key=lambda kv: kv[1])[:5],
        "confused": confused.most_common(8),
    }


def evaluate(parser: Parser, examples: list[Example]) -> dict[str, dict]:
    by_lang = defaultdict(list)
    for example in examples:
        by_lang[example.lang].append((example.intent, parser.intent(example.text)))
    return {lang: score(pairs) for lang, pairs in sorted(by_lang.items())}


def cross_validate(folds: int, seed: int = 7) -> dict[str, dict]:
    """k-fold over the training data, stratified by topic and language."""
    examples = training_examples()
    groups = defaultdict(list)
    for example in examples:
        groups[(example.intent, example.lang)].append(example)
    assignment = {}
    rng = random.Random(seed)
    for members in groups.values():
        rng.shuffle(members)
        for i, example in enumerate(members):
            assignment[example] = i % folds
    pairs = defaultdict(list)
    for fold in range(folds):
        train = [e for e in examples if assignment[e] != fold]
        test = [e for e in examples if assignment[e] == fold]
        with tempfile.TemporaryDirectory() as tmp:
            model = _train_nlu(train, Path(tmp))
            parser = Parser(model)
            for example in test:
                pairs[example.lang].append((example.intent, parser.intent(example.text)))
        print(f"  fold {fold + 1}/{folds} done", flush=True)
    return {lang: score(p) for lang, p in sorted(pairs.items())}


def _train_nlu(examples: list[Example], tmp: Path) -> Path:
    by_intent = defaultdict(list)
    for example in examples:
        by_intent[example.intent].append(example.text)
    data = {"version": "3.1", "nlu": [
        {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
        for intent, texts in by_intent.items()]}
    (tmp / "nlu.yml").write_text(yaml.safe_dump(data, allow_unicode=True, width=10_000))
    subprocess.run([rasa_bin(), "train", "nlu", "--config", str(PROJECT_ROOT / "config.yml"),
                    "--nlu", str(tmp / "nlu.yml"), "--out", str(tmp), "--fixed-model-name",
                    "fold"], check=True, env=rasa_env(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.STDOUT)
    return tmp / "fold.tar.gz"


def report(title: str, results: dict[str, dict]) -> str:
    lines = [title]
    for lang, r in results.items():
        lines.append(f"  {lang}: macro-F1 {r['macro_f1']:.3f}  accuracy {r['accuracy']:.3f}"
                     f"  (n={r['n']})")
        lines.append("      weakest topics: " + ", ".join(f"{t} {f:.2f}" for t, f in
                                                     r["worst_topics"]))
        lines.append("      most confused (gold -> predicted): " + ", ".join(
            f"{g}->{p} x{n}" for (g, p), n in r["confused"]))
    if {"en", "es"} <= results.keys():
        gap = results["en"]["macro_f1"] - results["es"]["macro_f1"]
        lines.append(f"  Spanish minus English: {-gap * 100:+.1f} points")
    return "\n".join(lines)


def main(cv: int = 0) -> int:
    from hotline.ops.training import ensure_trained

    model = ensure_trained()
    results = {"held_out": evaluate(Parser(model), held_out())}
    print(report(f"held-out set ({HELD_OUT.relative_to(PROJECT_ROOT)}), model {model.name}:",
                 results["held_out"]))
    if cv:
        print(f"{cv}-fold cross-validation on nlu_data/ ...", flush=True)
        results["cross_validation"] = cross_validate(cv)
        print(report(f"{cv}-fold cross-validation:", results["cross_validation"]))
    out = PROJECT_ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "eval.json").write_text(json.dumps(results, indent=2, default=list))
    return 0
