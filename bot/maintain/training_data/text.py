"""Text forms shared by the review inbox and the merge into the training data."""

from __future__ import annotations

import re
import unicodedata

_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_APOSTROPHES = re.compile(r"['’`´]")
_NOT_WORD = re.compile(r"[\W_]+")
_DROPPED_CATEGORIES = {"Cc", "Cs", "Co", "Cn"}  # control, surrogate, private use, unassigned


def normalise(text: str) -> str:
    """Lower case, no punctuation or apostrophes, single spaces: "What's up?!" -> "whats up"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    return _NOT_WORD.sub(" ", text).strip()


def strip_annotations(example: str) -> str:
    """The plain text of a training example: "[hair loss](condition)" -> "hair loss"."""
    return _ANNOTATION.sub(r"\1", example)


def has_annotation_markup(text: str) -> bool:
    """Whether Rasa would read part of ``text`` as an entity annotation."""
    return bool(_ANNOTATION.search(text))


def one_line(text: str) -> str:
    """``text`` on one line: control characters dropped, runs of whitespace made one space."""
    kept = "".join(
        " " if c.isspace() else c for c in text if c.isspace() or unicodedata.category(c) not in _DROPPED_CATEGORIES
    )
    return " ".join(kept.split())


def shorten(text: str, width: int = 80) -> str:
    """``text`` cut to ``width`` characters with "..." when longer, for messages."""
    return text if len(text) <= width else text[: width - 3] + "..."
