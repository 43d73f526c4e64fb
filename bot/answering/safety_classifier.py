"""A small safety-question classifier, trained from the project's own NLU examples.

It backs up the intent and the word rules in :func:`bot.answering.safety.is_safety_question`:
TF-IDF over character and word n-grams, then a logistic regression, trained lazily once per
process from ``data/nlu/*.yml`` (nothing is downloaded, no build step). Positive examples are
the safety intents' examples plus any example that mentions a personal health condition
(pregnancy, blood thinners...); everything else is negative. Training takes well under a
second; scoring a message about a millisecond.
"""

from __future__ import annotations

import math
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Iterable, List, Optional, Tuple

import yaml

from bot.settings import load_settings

POSITIVE_INTENTS = frozenset(
    {"ask_safety", "ask_practitioner", "ask_contraindications", "report_red_flag", "ask_aftercare"}
)
# Low on purpose: a needless recommendation line costs little, a missing one is the failure.
THRESHOLD = 0.3

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
_lock = threading.Lock()
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is 5-10 times faster


def _examples(nlu_dir: Path) -> List[Tuple[str, str]]:
    """(intent, text) for every training example in ``nlu_dir``."""
    rows: List[Tuple[str, str]] = []
    for path in sorted(nlu_dir.glob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        for block in data.get("nlu") or []:
            intent, examples = block.get("intent"), block.get("examples")
            if not intent or not isinstance(examples, str):
                continue
            for line in examples.splitlines():
                line = line.strip()
                if line.startswith("- "):
                    rows.append((intent, _ANNOTATION.sub(r"\1", line[2:]).strip()))
    return rows


def training_set(nlu_dir: Path) -> Tuple[List[str], List[int]]:
    """Texts and labels (1 = safety question) built from the NLU examples."""
    from bot.answering.safety import personal_conditions

    texts, labels = [], []
    for intent, text in _examples(nlu_dir):
        texts.append(text)
        labels.append(int(intent in POSITIVE_INTENTS or bool(personal_conditions(text))))
    return texts, labels


class SafetyClassifier:
    """TF-IDF (char 2-5 + word 1-2 n-grams) and logistic regression."""

    def __init__(self, texts: Iterable[str], labels: Iterable[int], c: float = 10.0) -> None:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts, labels = list(texts), list(labels)
        self._vectorizers = [
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=True, sublinear_tf=True),
            TfidfVectorizer(
                analyzer="word", ngram_range=(1, 2), lowercase=True, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
            ),
        ]
        features = hstack([v.fit_transform(texts) for v in self._vectorizers]).tocsr()
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        model.fit(features, labels)
        # Scoring by hand (one sparse dot product per vectoriser) skips scikit-learn's per-call
        # input checks: about 4 times faster than predict_proba for one message.
        weights, start = [], 0
        for vectorizer in self._vectorizers:
            size = len(vectorizer.vocabulary_)
            weights.append(model.coef_[0, start : start + size])
            start += size
        self._weights = weights
        self._intercept = float(model.intercept_[0])

    def probability(self, text: str) -> float:
        """The probability that ``text`` is a safety question."""
        if not (text or "").strip():
            return 0.0
        score = self._intercept
        for vectorizer, weights in zip(self._vectorizers, self._weights, strict=True):
            row = vectorizer.transform([text])
            score += float(row.data @ weights[row.indices])
        return 1.0 / (1.0 + math.exp(-score))


@lru_cache(maxsize=1)
def _trained(nlu_dir: Path) -> SafetyClassifier:
    return SafetyClassifier(*training_set(nlu_dir))


def classifier(nlu_dir: Optional[Path] = None) -> SafetyClassifier:
    """The classifier, trained on first use and kept for the life of the process."""
    with _lock:
        return _trained(nlu_dir or load_settings().nlu_dir)


def safety_probability(text: str) -> float:
    """The classifier's probability that ``text`` is a safety question (0.0 if it cannot run)."""
    try:
        return classifier().probability(text)
    except Exception:  # noqa: BLE001 - the word rules still apply; never fail a reply over it
        import logging

        logging.getLogger(__name__).exception("safety classifier unavailable")
        return 1.0


# -- the red-flag classifier ----------------------------------------------------------------------
# The same model trained on the labelled visitor messages of data/safety/red_flags.yml (red flag
# or not). It only backs up the red-flag rules of bot.answering.safety (which raise the alarm when
# either says so), on messages that report rather than ask. Its threshold is high on purpose: in a
# 5-fold cross-validation of red_flags.yml (C=3) it caught about 45 % of the red flags on its own
# with no false alarm at 0.8; lower thresholds raised false alarms on normal after-effects.
RED_FLAG_THRESHOLD = 0.8
RED_FLAG_C = 3.0


def red_flag_training_set(path: Path) -> Tuple[List[str], List[int]]:
    """Texts and labels (1 = red flag) of the labelled visitor messages."""
    rows = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or []
    rows = [row for row in rows if isinstance(row, dict) and row.get("text")]
    return [str(row["text"]) for row in rows], [int(bool(row.get("red_flag"))) for row in rows]


@lru_cache(maxsize=1)
def _trained_red_flags(path: Path) -> SafetyClassifier:
    return SafetyClassifier(*red_flag_training_set(path), c=RED_FLAG_C)


def red_flag_classifier(path: Optional[Path] = None) -> SafetyClassifier:
    """The red-flag classifier, trained on first use and kept for the life of the process."""
    with _lock:
        return _trained_red_flags(path or load_settings().red_flag_examples_path)


def red_flag_probability(text: str) -> float:
    """The classifier's probability that ``text`` reports a red flag (0.0 if it cannot run, e.g. the
    labelled file is not deployed: the red-flag rules still apply)."""
    try:
        return red_flag_classifier().probability(text)
    except Exception:  # noqa: BLE001 - never fail a reply over it
        import logging

        logging.getLogger(__name__).warning("red-flag classifier unavailable", exc_info=True)
        return 0.0
