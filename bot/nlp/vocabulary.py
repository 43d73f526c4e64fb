"""The domain vocabulary: entity labels, canonical names and the phrases that mean them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import yaml

# Ingredient words (and their canonical names) too general to be a named agent: "what are vitamins?" is
# general knowledge, and "which drugs are in it?" asks what is injected, not about one agent.
GENERAL_INGREDIENT_WORDS = frozenset(
    ["vitamin", "vitamins", "mineral", "minerals", "amino acid", "amino acids", "aminoacids", "enzyme", "enzymes"]
    + ["medication", "medications", "medicine", "medicines", "drug", "drugs", "nutrient", "nutrients"]
)


def _normalise(phrase: str) -> str:
    return " ".join(phrase.lower().replace("’", "'").split())


@dataclass(frozen=True)
class Vocabulary:
    """Phrases per ``(label, canonical)``; lookups are case- and space-insensitive."""

    terms: Dict[str, Dict[str, List[str]]]

    @classmethod
    def load(cls, path: Path) -> "Vocabulary":
        """Read the YAML vocabulary file (label -> canonical -> synonyms)."""
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        terms = {
            label: {canonical: [canonical, *(synonyms or [])] for canonical, synonyms in entries.items()}
            for label, entries in raw.items()
        }
        return cls(terms)

    def phrases(self) -> Iterator[Tuple[str, str, str]]:
        """Yield ``(label, canonical, phrase)`` for every phrase, canonical names included."""
        for label, entries in self.terms.items():
            for canonical, phrases in entries.items():
                for phrase in phrases:
                    yield label, canonical, phrase

    def canonical(self, label: str, text: str) -> Optional[str]:
        """Return the canonical name for ``text`` under ``label``, or None when unknown."""
        wanted = _normalise(text)
        for canonical, phrases in self.terms.get(label, {}).items():
            if any(_normalise(phrase) == wanted for phrase in phrases):
                return canonical
        return None
