"""The operators' web console: `views` (the blueprint `bp`), `status` (the program status page
and the supervisors' warnings, on the same blueprint), `auth` (who may use it), and its
templates and static files next to them."""

from . import learning as _learning  # noqa: F401  (its routes join `bp`)
from . import media as _media  # noqa: F401  (its routes join `bp`)
from . import reliability as _reliability  # noqa: F401  (its routes join `bp`)
from . import status as _status  # noqa: F401  (its routes join `bp`)
from .auth import init_app
from .views import bp, console_language

__all__ = ["bp", "console_language", "init_app"]
