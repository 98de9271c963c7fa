"""jsonschema.validate for the Rasa process, checking each schema once instead of every call.

Rasa 3.6 validates every answer of the action server (`RemoteAction._validate_action_result`)
and of the NLG endpoint (`CallbackNaturalLanguageGenerator.validate_response`) with
`jsonschema.validate(answer, schema)`. That function first validates the schema itself against
the JSON Schema metaschema, then builds a validator, on every call; Rasa's schemas are
constants. Under load, checking them took a third of the Rasa process's CPU (py-spy on
`bench/inbound_latency.py`'s load), and a turn makes one call per custom action and one per
answer rendered. `install()` (from `rasa_ext.server`, before Rasa starts) replaces
`jsonschema.validate` with `validate` below: the same errors for the same inputs, each distinct
schema checked and its validator built once. Rasa imports `validate` inside those functions at
each call, so the module attribute is what it finds.
"""

from __future__ import annotations

import json
import threading

import jsonschema
from jsonschema import exceptions, validators

_original = jsonschema.validate
_checked: dict[str, object] = {}  # the schema as canonical JSON -> its validator
_lock = threading.Lock()
KEPT_AT_MOST = 64  # Rasa's schemas are a handful; a caller making new ones each time is not kept


def validate(instance, schema, cls=None, *args, **kwargs) -> None:
    """jsonschema.validate(instance, schema): raises the same ValidationError (the best match)
    for an invalid instance and the same SchemaError for an invalid schema, at every call."""
    if cls is not None or args or kwargs:
        return _original(instance, schema, cls, *args, **kwargs)
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):  # not JSON (a schema with Python objects): as it was
        return _original(instance, schema)
    validator = _checked.get(key)
    if validator is None:
        validator_class = validators.validator_for(schema)
        validator_class.check_schema(schema)  # a SchemaError is raised, never remembered
        validator = validator_class(schema)
        with _lock:
            if len(_checked) < KEPT_AT_MOST:
                _checked[key] = validator
    error = exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error
    return None


def install() -> None:
    jsonschema.validate = validate
