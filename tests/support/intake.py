"""Opening or closing registration intake for a test, as an operator's `status set` does.

The override goes to the Redis the hotline reads (the stack's, or the unit tests'), where it
applies from the next message; `program_status.load` is patched in the test process too, so that
`support.conversation.expected` renders the words the hotline says under that status.
"""

from __future__ import annotations

from datetime import date

from hotline.config import Settings
from hotline.content import program_status
from hotline.content.program_status import Intake, Organization, ProgramStatus

# An organization that receives registrations (intake cannot be open without one).
RECEIVER = Organization("Casa de Prueba", "WhatsApp +52 000 000 0000", ("registrations",))


def set_intake(redis, monkeypatch, is_open: bool,
               organizations: tuple[Organization, ...] = (RECEIVER,)) -> ProgramStatus:
    """Store a status whose intake is open or closed (checked today); returns it."""
    current = program_status.load_file(Settings().program_status_file)
    today = date.today()
    status = current.changed(intake=Intake(is_open, today, today),
                             organizations=organizations if is_open else current.organizations)
    program_status.store_override(redis, status)
    monkeypatch.setattr(program_status, "load", lambda path, redis=None: status)
    return status
