"""The one error every field reader raises: the answer cannot be used, and why."""

from __future__ import annotations


class Invalid(ValueError):
    """The answer cannot be used; `reason` names the catalog hint to show."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
