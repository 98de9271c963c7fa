"""How well the assistant understands people, per language, beside a classic baseline.

`./hotline.sh eval` prints, on the same examples, the assistant (the trained model behind the
opt-out words of `messaging.keywords`, as people meet it) and the baseline (`ops.baseline`:
TF-IDF character 2-5 grams, logistic regression, no fallback), per language:

- macro-F1 and accuracy over the topics;
- wrong topic: a topic answered that is not the right one (the clarifying menu is not one);
- menu: the clarifying menu (nlu_fallback) instead of a topic;
- the same on the hard subset, by one rule: messages longer than 80 characters (in these sets
  they are the stories, the run-ons of voice-to-text and the mixed-language ones).

Lanes: the frozen held-out set (tests/rasa/heldout/, scored, never tuned against) always; the
development set (tests/rasa/dev/: written apart from the training data, the set to tune
against, so its figures flatter); `--cv K` adds K-fold cross-validation over nlu_data/ (the
same folds for both systems; K NLU trainings), also fair to tune against. `stop_messages` is
read by words first and by the model only above `HOTLINE_STOP_CONFIDENCE`, so the topic table
leaves it out and a line of its own gives the opt-out recall on it and the false opt-outs on
every other message (a model's stop below that confidence asks the person: the menu).
"""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from hotline.config import PROJECT_ROOT, Settings
from hotline.messaging import keywords
from hotline.ops.baseline import Baseline
from hotline.ops.training import rasa_bin, rasa_env
from hotline.text import normalize

HELD_OUT = PROJECT_ROOT / "tests" / "rasa" / "nlu"
FROZEN = PROJECT_ROOT / "tests" / "rasa" / "heldout"
DEV = PROJECT_ROOT / "tests" / "rasa" / "dev"
# Requests to stop and look-alikes, one "lang<TAB>message" per line: frozen with the held-out
# set (never tuned against), and the rules' list (tests/unit/messaging/opt_out/: the rules and
# the model's stop threshold were tuned against it).
FROZEN_OPT_OUT = FROZEN / "opt_out"
DEV_OPT_OUT = PROJECT_ROOT / "tests" / "unit" / "messaging" / "opt_out"
# A second development list, written by other hands once the first was worn out by tuning; the
# training lines and the rules' vetoes of the same days were judged on it (tests/rasa/dev/).
DEV_OPT_OUT_2 = DEV / "opt_out"
# A third, once the second was tuned against: harder look-alikes (someone else who writes, a
# danger, questions about what a STOP would do) (tests/rasa/dev/README.md).
DEV_OPT_OUT_3 = DEV / "opt_out_3"
NOT_A_STOP = "not_a_stop"
FALLBACK = "nlu_fallback"
STOP_TOPIC = "stop_messages"
HARD_LENGTH = 80


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    lang: str

    @property
    def hard(self) -> bool:
        return len(self.text) > HARD_LENGTH


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
    """The older held-out files: tests/rasa/nlu/<set>_<lang>.yml (tuned against; kept as
    regression data, not as a measure)."""
    return [e for lang in ("en", "es") for path in sorted(HELD_OUT.glob(f"*_{lang}.yml"))
            for e in read_examples(path, lang)]


def frozen_held_out() -> list[Example]:
    """The held-out set written before the data and pipeline changes of late 2026, frozen by
    its hash (tests/rasa/heldout/SHA256SUMS): a score on it means something only while nobody
    has tuned against it. A topic added later brings its own frozen file, written before its
    training lines were (`<topic>_<lang>.yml`)."""
    return [e for lang in ("en", "es")
            for path in [FROZEN / f"{lang}.yml", *sorted(FROZEN.glob(f"*_{lang}.yml"))]
            for e in read_examples(path, lang)]


def development_set() -> list[Example]:
    """Messages written apart from nlu_data/, by other hands, to choose between pipelines and
    thresholds: tuned against, so they stay out of both training and the frozen set."""
    return [e for lang in ("en", "es") if (DEV / f"{lang}.yml").exists()
            for e in read_examples(DEV / f"{lang}.yml", lang)]


def opt_out_list(folder: Path) -> list[Example]:
    """asks_to_stop.tsv as stop_messages and does_not.tsv as look-alikes (NOT_A_STOP)."""
    examples = []
    for name, intent in (("asks_to_stop.tsv", STOP_TOPIC), ("does_not.tsv", NOT_A_STOP)):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                lang, text = line.split("\t", 1)
                examples.append(Example(text.strip(), intent, lang.strip()))
    return examples


def opt_out_report(title: str, examples: list[Example], predicted: dict[str, list[str]]) -> str:
    """Per system and language: requests read as a stop, and look-alikes read as one."""
    lines = [title]
    for name, preds in predicted.items():
        for lang in sorted({e.lang for e in examples}):
            rows = [(e, p) for e, p in zip(examples, preds) if e.lang == lang]
            asks = [p for e, p in rows if e.intent == STOP_TOPIC]
            near = [p for e, p in rows if e.intent == NOT_A_STOP]
            lines.append(f"  {lang} {name}: requests read as a stop "
                         f"{sum(p == STOP_TOPIC for p in asks)}/{len(asks)}; "
                         f"look-alikes read as a stop {sum(p == STOP_TOPIC for p in near)}"
                         f"/{len(near)}")
    return "\n".join(lines)


def training_examples() -> list[Example]:
    return [e for lang in ("en", "es")
            for path in sorted((PROJECT_ROOT / "nlu_data" / lang).glob("*.yml"))
            for e in read_examples(path, lang)]


def score(pairs: list[tuple[str, str]]) -> dict:
    """Macro-F1 over the gold topics, accuracy, wrong-topic and menu rates, the most confused
    (gold, predicted) pairs.

    >>> r = score([("a", "a"), ("a", "nlu_fallback"), ("b", "a"), ("b", "b")])
    >>> r["accuracy"], r["wrong_topic"], r["menu"]
    (0.5, 0.25, 0.25)
    """
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
    n = len(pairs)
    confused = Counter((g, p) for g, p in pairs if g != p)
    return {
        "n": n,
        "macro_f1": sum(f1s.values()) / len(f1s) if f1s else 0.0,
        "accuracy": sum(tp.values()) / n if n else 0.0,
        "wrong_topic": sum(1 for g, p in pairs if p not in (g, FALLBACK)) / n if n else 0.0,
        "menu": sum(1 for _, p in pairs if p == FALLBACK) / n if n else 0.0,
        "worst_topics": sorted(f1s.items(), key=lambda kv: kv[1])[:6],
        "confused": confused.most_common(8),
    }


Predict = Callable[[list[str]], list[str]]


def assistant(model_read: Callable[[str], tuple[str, float]],
              stop_confidence: float = Settings.stop_confidence) -> Predict:
    """The assistant as a person meets it: opting out in their own words is read before the
    model (`keywords.match`), then the model's topic (nlu_fallback = the clarifying menu). A
    request to stop that only the model read opts out from `stop_confidence` up, as the gateway
    decides (`HOTLINE_STOP_CONFIDENCE`); below it the person is asked, which counts as the menu."""
    def predict(texts: list[str]) -> list[str]:
        out = []
        for text in texts:
            text = normalize(text)
            if keywords.match(text) == keywords.OPT_OUT:
                out.append(STOP_TOPIC)
                continue
            intent, confidence = model_read(text)
            if intent == STOP_TOPIC and not keywords.model_stop_is_sure(text, confidence,
                                                                        stop_confidence):
                intent = FALLBACK
            out.append(intent)
        return out
    return predict


def baseline(train: Iterable[Example]) -> Predict:
    train = list(train)
    return Baseline([e.text for e in train], [e.intent for e in train]).intents


def predictions(systems: dict[str, Predict], examples: list[Example]) -> dict[str, list[str]]:
    texts = [e.text for e in examples]
    return {name: predict(texts) for name, predict in systems.items()}


def tables(examples: list[Example], predicted: dict[str, list[str]]) -> dict:
    """Per system and language: all topics and the hard subset (stop_messages left out), and
    the opt-out line."""
    out: dict = {}
    for name, preds in predicted.items():
        for lang in sorted({e.lang for e in examples}):
            rows = [(e, p) for e, p in zip(examples, preds) if e.lang == lang]
            topics = [(e.intent, p) for e, p in rows if e.intent != STOP_TOPIC]
            hard = [(e.intent, p) for e, p in rows if e.intent != STOP_TOPIC and e.hard]
            stops = [p for e, p in rows if e.intent == STOP_TOPIC]
            out.setdefault(name, {})[lang] = {
                "all": score(topics), "hard": score(hard),
                "stop_recall": (sum(p == STOP_TOPIC for p in stops) / len(stops)
                                if stops else None),
                "false_opt_outs": sum(1 for e, p in rows
                                      if e.intent != STOP_TOPIC and p == STOP_TOPIC),
            }
    return out


def cross_validate(folds: int, seed: int = 7) -> tuple[list[Example], dict[str, list[str]]]:
    """k-fold over the training data, stratified by topic and language; each fold trains the
    assistant's NLU (config.yml) and the baseline on the same examples."""
    from rasa_ext.nlu import Parser

    examples = training_examples()
    fold_of = folds_of(examples, folds, seed)
    # Every fold trains with the pipeline as it was when the run started.
    config = (PROJECT_ROOT / "config.yml").read_text()
    stop_confidence = Settings.from_env().stop_confidence
    predicted: dict[str, list[str]] = {"assistant": [""] * len(examples),
                                       "baseline": [""] * len(examples)}
    for fold in range(folds):
        train = [e for i, e in enumerate(examples) if fold_of[i] != fold]
        test = [i for i in range(len(examples)) if fold_of[i] == fold]
        started = time.monotonic()
        with tempfile.TemporaryDirectory() as tmp:
            parser = Parser(_train_nlu(train, Path(tmp), config))
            systems = {"assistant": assistant(parser.read, stop_confidence),
                       "baseline": baseline(train)}
            got = predictions(systems, [examples[i] for i in test])
        for name, preds in got.items():
            for i, pred in zip(test, preds):
                predicted[name][i] = pred
        print(f"  fold {fold + 1}/{folds} done ({time.monotonic() - started:.0f} s)", flush=True)
    return examples, predicted


def folds_of(examples: list[Example], folds: int, seed: int = 7) -> list[int]:
    """The fold of each example: every (topic, language) spread evenly, the same every run."""
    groups = defaultdict(list)
    for i, example in enumerate(examples):
        groups[(example.intent, example.lang)].append(i)
    fold_of = [0] * len(examples)
    rng = random.Random(seed)
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for position, i in enumerate(members):
            fold_of[i] = position % folds
    return fold_of


def _train_nlu(examples: list[Example], tmp: Path, config: str) -> Path:
    by_intent = defaultdict(list)
    for example in examples:
        by_intent[example.intent].append(example.text)
    data = {"version": "3.1", "nlu": [
        {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
        for intent, texts in by_intent.items()]}
    (tmp / "nlu.yml").write_text(yaml.safe_dump(data, allow_unicode=True, width=10_000))
    (tmp / "config.yml").write_text(config)
    subprocess.run([rasa_bin(), "train", "nlu", "--config", str(tmp / "config.yml"),
                    "--nlu", str(tmp / "nlu.yml"), "--out", str(tmp), "--fixed-model-name",
                    "fold"], check=True, env=rasa_env(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
    return tmp / "fold.tar.gz"


def _row(lang: str, name: str, r: dict) -> str:
    a, h = r["all"], r["hard"]
    return (f"  {lang}  {name:<9} {a['macro_f1']:8.3f} {a['accuracy']:6.3f} "
            f"{a['wrong_topic']:6.1%} {a['menu']:6.1%}  |{h['n']:5d} {h['macro_f1']:8.3f} "
            f"{h['accuracy']:6.3f} {h['wrong_topic']:6.1%} {h['menu']:6.1%}")


def report(title: str, results: dict) -> str:
    """The side-by-side table, then per system and language the weakest topics."""
    lines = [title,
             "  lang system    macro-F1    acc  wrong   menu  | hard: n macro-F1    acc  wrong"
             "   menu"]
    langs = sorted({lang for per_lang in results.values() for lang in per_lang})
    for lang in langs:
        for name in results:
            if lang in results[name]:
                lines.append(_row(lang, name, results[name][lang]))
    for lang in langs:
        if {"assistant", "baseline"} <= results.keys():
            gain = (results["assistant"][lang]["all"]["macro_f1"]
                    - results["baseline"][lang]["all"]["macro_f1"])
            lines.append(f"  {lang}: assistant minus baseline {gain * 100:+.1f} macro-F1 points")
    if "assistant" in results and {"en", "es"} <= results["assistant"].keys():
        gap = (results["assistant"]["es"]["all"]["macro_f1"]
               - results["assistant"]["en"]["all"]["macro_f1"])
        lines.append(f"  assistant, Spanish minus English: {gap * 100:+.1f} points")
    for name, per_lang in results.items():
        for lang, r in per_lang.items():
            if r["stop_recall"] is not None or name == "assistant":
                recall = ("-" if r["stop_recall"] is None else f"{r['stop_recall']:.3f}")
                lines.append(f"  {lang} {name}: opting out in own words, recall {recall}; "
                             f"false opt-outs {r['false_opt_outs']}")
            lines.append(f"  {lang} {name} weakest: " + ", ".join(
                f"{t} {f:.2f}" for t, f in r["all"]["worst_topics"]))
            lines.append(f"  {lang} {name} confused: " + ", ".join(
                f"{g}->{p} x{n}" for (g, p), n in r["all"]["confused"]))
    return "\n".join(lines)


def main(cv: int = 0) -> int:
    from hotline.ops.training import ensure_trained
    from rasa_ext.nlu import Parser

    model = ensure_trained()
    frozen = frozen_held_out()
    train = training_examples()
    systems = {"assistant": assistant(Parser(model).read, Settings.from_env().stop_confidence),
               "baseline": baseline(train)}
    results = {"held_out": tables(frozen, predictions(systems, frozen))}
    print(report(f"frozen held-out set ({FROZEN.relative_to(PROJECT_ROOT)}), model "
                 f"{model.name}; hard = longer than {HARD_LENGTH} characters:",
                 results["held_out"]), flush=True)
    for name, folder, tuned in (("frozen opt-out list", FROZEN_OPT_OUT, ""),
                                ("the rules' opt-out list", DEV_OPT_OUT, ", tuned against"),
                                ("development opt-out list", DEV_OPT_OUT_2, ", tuned against"),
                                ("third development opt-out list", DEV_OPT_OUT_3,
                                 ", tuned against")):
        stops = opt_out_list(folder)
        print(opt_out_report(f"{name} ({folder.relative_to(PROJECT_ROOT)}{tuned}):", stops,
                             predictions(systems, stops)), flush=True)
    dev = development_set()
    if dev:
        results["development"] = tables(dev, predictions(systems, dev))
        print(report(f"development set ({DEV.relative_to(PROJECT_ROOT)}, tuned against):",
                     results["development"]), flush=True)
    if cv:
        print(f"{cv}-fold cross-validation on nlu_data/ (same folds for both) ...", flush=True)
        examples, predicted = cross_validate(cv)
        results["cross_validation"] = tables(examples, predicted)
        print(report(f"{cv}-fold cross-validation:", results["cross_validation"]))
    out = PROJECT_ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "eval.json").write_text(json.dumps(results, indent=2, default=list))
    return 0
