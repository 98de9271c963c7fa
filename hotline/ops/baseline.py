"""The classic classifier the assistant must beat: TF-IDF over character 2-5 grams (accents
stripped) and a logistic regression, no fallback. About twenty lines; if the assistant's
pipeline cannot beat it on the same folds, the pipeline is not earning its training time.

scikit-learn is already installed with Rasa, so the baseline costs no new package.
"""

from __future__ import annotations

from collections.abc import Sequence

from hotline.text import normalize


class Baseline:
    """Trained on (text, topic) pairs; `intent(text)` is the likeliest topic, never a menu."""

    def __init__(self, texts: Sequence[str], intents: Sequence[str]):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.model = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(2, 5), strip_accents="unicode",
                            lowercase=True, sublinear_tf=True),
            LogisticRegression(C=10, max_iter=3000),
        )
        self.model.fit([normalize(t) for t in texts], list(intents))

    def intents(self, texts: Sequence[str]) -> list[str]:
        return list(self.model.predict([normalize(t) for t in texts]))

    def intent(self, text: str) -> str:
        return self.intents([text])[0]
