"""The current app's `Runtime`, for every blueprint (what flaskr's `get_db` is to its views).

`create_app` builds one `Runtime` per app and keeps it in `app.extensions["hotline"]`.
"""

from __future__ import annotations

from flask import current_app

from hotline.runtime import Runtime


def runtime() -> Runtime:
    """This app's runtime: its Redis, stores, catalogs and Twilio client."""
    return current_app.extensions["hotline"]
