"""`rasa_ext.schemas`: jsonschema.validate in the Rasa process, each schema checked once, with
jsonschema's own answers, on the schemas Rasa validates the action server's and the NLG
endpoint's answers with."""

from __future__ import annotations

import jsonschema
import pytest
from jsonschema import SchemaError, ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg.callback import nlg_response_format_spec

from rasa_ext import schemas, server

ACTION_SPEC = RemoteAction.action_response_format_spec
VALID_ACTION = {"events": [{"event": "slot", "name": "language", "value": "es"},
                           {"event": "action", "name": "action_listen"}],
                "responses": [{"response": "utter_greet"}]}
INVALID = [
    (ACTION_SPEC, {"events": [{"event": "slot", "name": 7, "value": "es"}]}),
    (ACTION_SPEC, {"events": "not a list"}),
    (ACTION_SPEC, {"events": [{"event": "user", "text": 3}], "responses": ["text"]}),
    (nlg_response_format_spec, {"text": 5}),
    (nlg_response_format_spec, {"text": "hola", "buttons": "yes"}),
]


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(schemas, "_checked", {})
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)  # install() is undone


def original_error(instance, schema) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        schemas._original(instance, schema)
    return caught.value


@pytest.mark.parametrize("spec,instance", INVALID)
def test_an_invalid_answer_gets_the_error_jsonschema_gives(spec, instance):
    expected = original_error(instance, spec())
    for _ in range(2):  # the second call uses the kept validator
        with pytest.raises(ValidationError) as caught:
            schemas.validate(instance, spec())
        assert (caught.value.message, list(caught.value.absolute_path),
                caught.value.validator) == (
            expected.message, list(expected.absolute_path), expected.validator)


def test_valid_answers_pass_and_each_schema_is_checked_once(monkeypatch):
    checks = []
    real = schemas.validators.validator_for

    def counting(schema, *args, **kwargs):
        if schema in (ACTION_SPEC(), nlg_response_format_spec()):  # not jsonschema's own calls
            checks.append(schema)
        return real(schema, *args, **kwargs)

    monkeypatch.setattr(schemas.validators, "validator_for", counting)
    for _ in range(20):
        assert schemas.validate(VALID_ACTION, ACTION_SPEC()) is None
        assert schemas.validate({"text": "Hola", "buttons": []},
                                nlg_response_format_spec()) is None
    assert len(checks) == 2


def test_a_wrong_schema_is_refused_at_every_call():
    wrong = {"type": "object", "properties": {"events": {"type": 12}}}
    for _ in range(2):
        with pytest.raises(SchemaError):
            schemas.validate({}, wrong)
    assert schemas._checked == {}


def test_a_validator_class_or_options_go_to_jsonschema_as_given():
    draft4 = jsonschema.Draft4Validator
    with pytest.raises(ValidationError):
        schemas.validate({"a": 1}, {"type": "object", "additionalProperties": False}, draft4)
    assert schemas._checked == {}


def test_installed_rasa_validates_action_answers_with_it(monkeypatch):
    schemas.install()
    assert jsonschema.validate is schemas.validate
    action = RemoteAction("action_hotline", None)
    assert action._validate_action_result(VALID_ACTION)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(INVALID[0][1])
    assert len(schemas._checked) == 1


def test_the_rasa_server_installs_it_before_rasa_starts(monkeypatch):
    monkeypatch.setattr(server, "rasa_argv", lambda args, token: ["rasa", "--version"])
    monkeypatch.setenv("RASA_TOKEN", "rasa-token-xyz98765")
    import rasa.utils.io

    monkeypatch.setattr(rasa.utils.io, "configure_colored_logging",
                        rasa.utils.io.configure_colored_logging)
    seen = []
    monkeypatch.setattr("rasa.__main__.main", lambda: seen.append(jsonschema.validate))
    assert server.main([]) == 0
    assert seen == [schemas.validate]
