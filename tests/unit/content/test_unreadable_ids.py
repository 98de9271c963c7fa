"""Each reason a message cannot be read has its one answer in the catalogs, and no answer is
kept that nothing says: a picture without words is told `media_only_text` (once a day), so the
old `unreadable.media` is gone rather than left for translators to keep up."""

from hotline.config import PROJECT_ROOT
from hotline.content.catalogs import Catalogs
from hotline.messaging import sms

catalogs = Catalogs(PROJECT_ROOT / "locales")


def test_every_unreadable_answer_is_one_the_hotline_says():
    said = {f"unreadable.{reason}" for reason in
            (sms.UNREADABLE_EMPTY, sms.UNREADABLE_NO_TEXT, sms.UNREADABLE_TOO_LONG)}
    in_catalogs = {key for key in catalogs.keys() if key.startswith("unreadable.")}
    assert in_catalogs == said


def test_a_picture_without_words_has_its_own_answer():
    assert catalogs.has("media_only_text") and not catalogs.has("unreadable.media")
