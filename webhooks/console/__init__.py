"""The operators' web console: `views` (the blueprint `bp`), `auth` (who may use it), and its
templates and static files next to them."""

from .auth import init_app
from .views import bp, console_language

__all__ = ["bp", "console_language", "init_app"]
