"""`./hotline.sh eval`: the assistant beside the classic baseline on the same examples, with
wrong-topic and menu rates and the hard subset counted."""

from hotline.ops import evaluation
from hotline.ops.baseline import Baseline
from hotline.ops.evaluation import FALLBACK, STOP_TOPIC, Example


def test_menu_is_not_a_wrong_topic_and_both_miss():
    r = evaluation.score([("a", "a"), ("a", FALLBACK), ("b", "a"), ("b", "b")])
    assert (r["accuracy"], r["wrong_topic"], r["menu"]) == (0.5, 0.25, 0.25)
    assert 0 < r["macro_f1"] < 1


def test_tables_split_language_hard_subset_and_opt_out():
    long = "x" * 81
    examples = [Example("hola", "greet", "es"), Example(long, "greet", "es"),
                Example("ya no", STOP_TOPIC, "es"), Example("hi", "greet", "en")]
    got = evaluation.tables(examples, {"assistant": ["greet", FALLBACK, STOP_TOPIC, STOP_TOPIC]})
    es, en = got["assistant"]["es"], got["assistant"]["en"]
    assert es["all"]["n"] == 2 and es["hard"]["n"] == 1  # stop_messages left out of topics
    assert es["hard"]["menu"] == 1.0 and es["stop_recall"] == 1.0
    assert en["false_opt_outs"] == 1 and en["all"]["wrong_topic"] == 1.0


def test_the_assistant_reads_opt_out_words_before_the_model_on_normal_text():
    seen = []
    predict = evaluation.assistant(lambda text: seen.append(text) or ("greet", 0.9))
    assert predict(["ya no me manden mensajes", "ho\u200bla"]) == [STOP_TOPIC, "greet"]
    assert seen == ["hola"]


def test_a_stop_only_the_model_read_counts_from_the_gateways_confidence_up():
    reads = {"please cut it out": (STOP_TOPIC, 0.93), "enough already": (STOP_TOPIC, 0.7),
             "dont stop writing me": (STOP_TOPIC, 0.99)}
    predict = evaluation.assistant(reads.__getitem__, stop_confidence=0.8)
    # Below it, or where the words only look like a stop, the gateway asks the person (the
    # clarifying menu), it does not opt them out.
    assert predict(list(reads)) == [STOP_TOPIC, FALLBACK, FALLBACK]


def test_the_baseline_learns_topics_and_never_answers_with_the_menu():
    model = Baseline(["hola", "buenas tardes", "hello", "gracias", "thank you", "muchas gracias"],
                     ["greet", "greet", "greet", "thanks", "thanks", "thanks"])
    assert model.intents(["buenas", "thanks a lot"]) == ["greet", "thanks"]
    assert FALLBACK not in model.intents(["zzzz", "qwerty"])


def test_folds_spread_every_topic_and_language_and_repeat():
    examples = [Example(f"t{i}", "a" if i % 2 else "b", "es") for i in range(20)]
    folds = evaluation.folds_of(examples, 5)
    assert folds == evaluation.folds_of(examples, 5)
    for fold in range(5):
        assert {e.intent for e, f in zip(examples, folds) if f == fold} == {"a", "b"}


def test_the_hard_subset_is_the_long_messages():
    assert Example("x" * 81, "a", "es").hard and not Example("x" * 80, "a", "es").hard


def test_report_prints_both_systems_and_the_gain():
    examples = [Example("hola", "greet", "es"), Example("gracias", "thanks", "es")]
    results = evaluation.tables(examples, {"assistant": ["greet", "thanks"],
                                           "baseline": ["greet", "greet"]})
    text = evaluation.report("t", results)
    assert "es  assistant" in text and "es  baseline" in text
    assert "assistant minus baseline" in text


def test_an_opt_out_list_counts_requests_read_as_a_stop_and_look_alikes(tmp_path):
    (tmp_path / "asks_to_stop.tsv").write_text("es\tya no me escriban\nen\tstop texting me\n"
                                               "en\tyou text too much\n", encoding="utf-8")
    (tmp_path / "does_not.tsv").write_text("en\tkeep texting me\n\n", encoding="utf-8")
    examples = evaluation.opt_out_list(tmp_path)
    assert [(e.lang, e.intent) for e in examples] == [
        ("es", STOP_TOPIC), ("en", STOP_TOPIC), ("en", STOP_TOPIC), ("en", "not_a_stop")]
    text = evaluation.opt_out_report("t", examples, {"assistant": [
        STOP_TOPIC, STOP_TOPIC, FALLBACK, STOP_TOPIC]})
    assert "en assistant: requests read as a stop 1/2; look-alikes read as a stop 1/1" in text
    assert "es assistant: requests read as a stop 1/1; look-alikes read as a stop 0/0" in text


def test_the_rules_opt_out_list_is_where_the_evaluation_reads_it():
    assert {e.intent for e in evaluation.opt_out_list(evaluation.DEV_OPT_OUT)} == {
        STOP_TOPIC, "not_a_stop"}
