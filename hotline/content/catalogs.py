"""Every sentence a person reads comes from the Babel catalogs in ``locales/``.

The catalogs are keyed: a message id is a stable name (``utter_greet``, ``keyword.stopped.sms``)
and each language's ``messages.po`` holds its text, with named placeholders filled after
translation. Babel silently falls back to the message id when a catalog is missing, so this
module reads the ``.po`` files itself and refuses to start on a missing or incomplete locale.
"""

from __future__ import annotations

import string
from datetime import date
from pathlib import Path

from babel.dates import format_date
from babel.messages.pofile import read_po

LANGUAGES = ("en", "es")


class CatalogError(RuntimeError):
    """A catalog is missing, incomplete or inconsistent."""


class UnknownMessage(KeyError):
    """No catalog entry for this message id."""


class MissingValue(KeyError):
    """A placeholder in the message was not given a value."""


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Catalogs:
    """The loaded catalogs of every language, with strict lookups."""

    def __init__(self, locales_dir: Path, languages: tuple[str, ...] = LANGUAGES):
        self.languages = languages
        self._texts: dict[str, dict[str, str]] = {}
        for lang in languages:
            path = Path(locales_dir) / lang / "LC_MESSAGES" / "messages.po"
            if not path.is_file():
                raise CatalogError(f"no catalog for {lang!r} at {path}")
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
            texts = {}
            for message in catalog:
                if not message.id:
                    continue
                if not message.string or message.fuzzy:
                    raise CatalogError(f"{path}: {message.id!r} is untranslated or fuzzy")
                texts[message.id] = message.string
            if not texts:
                raise CatalogError(f"{path} holds no messages")
            self._texts[lang] = texts
        self._check_consistent()

    def _check_consistent(self) -> None:
        reference = self.languages[0]
        keys = set(self._texts[reference])
        for lang in self.languages[1:]:
            other = set(self._texts[lang])
            if keys != other:
                diff = sorted(keys ^ other)[:10]
                raise CatalogError(f"catalogs {reference} and {lang} differ in ids: {diff}")
            for key in keys:
                expected = placeholders(self._texts[reference][key])
                if placeholders(self._texts[lang][key]) != expected:
                    raise CatalogError(
                        f"{key!r}: placeholders differ between {reference} and {lang}")

    def keys(self) -> set[str]:
        return set(self._texts[self.languages[0]])

    def has(self, key: str) -> bool:
        return key in self._texts[self.languages[0]]

    def raw(self, key: str, lang: str) -> str:
        try:
            return self._texts[self._lang(lang)][key]
        except KeyError:
            raise UnknownMessage(key) from None

    def text(self, key: str, lang: str, /, **values) -> str:
        """The message in the language, with its placeholders filled."""
        template = self.raw(key, lang)
        needed = placeholders(template)
        missing = needed - values.keys()
        if missing:
            raise MissingValue(f"{key!r} needs {sorted(missing)}")
        return template.format(**{k: values[k] for k in needed}) if needed else template

    def _lang(self, lang: str) -> str:
        return lang if lang in self._texts else self.languages[0]


def format_day(day: date, lang: str) -> str:
    """A date the way people write it in that language ('21 de enero de 2025')."""
    return format_date(day, format="long", locale=lang)
