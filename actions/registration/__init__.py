"""Registration by text message: the form's validation (`form`), its questions (`ask`) and the
status question outside it (`status`).

rasa_sdk registers every `Action` subclass it has imported; importing the modules here keeps
every action registered however the package is loaded.
"""

from .ask import ASK_ACTIONS, AskConfirm, AskQuestion
from .form import (
    ALL_SLOTS,
    FORM,
    QUESTIONS,
    REQUESTED,
    Turn,
    ValidateRegistrationForm,
    clear_all,
    end_form,
    next_question,
)
from .status import ActionRegistrationStatus

__all__ = [
    "ALL_SLOTS", "ASK_ACTIONS", "FORM", "QUESTIONS", "REQUESTED", "ActionRegistrationStatus",
    "AskConfirm", "AskQuestion", "Turn", "ValidateRegistrationForm", "clear_all", "end_form",
    "next_question",
]
