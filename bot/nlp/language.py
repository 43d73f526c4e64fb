"""Whether a message is written in another language than English, in the Latin script.

The NLU is trained on English only: "¿cuánto cuesta la mesoterapia?" was read as what mesotherapy is
(its one known word) and answered with the definition. Messages in other scripts already fall to
"did you mean" (no known word); these need their function words to be told apart. A message counts as
another language when it has no English function word and either two of the other languages' function
words or one beside mesotherapy's name in another language ("mesoterapia fa male?").
"""

from __future__ import annotations

import re

# Common function words of Spanish, French, Italian, German and Portuguese that are no English words.
_OTHER_FUNCTION_WORDS = frozenset(
    """
    el la los las es está están que qué cuánto cuanto cuesta cuál cómo como para con por una mi
    puedo hay después antes tengo duele tratamiento precio del al
    le les est une des du pour avec mon ma combien coûte coute faire je peux après avant ce qu c
    est-ce quel quelle douleur prix
    il lo gli che è fa quanto costa dopo posso sono della ho
    der das ist und wie viel kostet gefährlich nach ich kann mein meine eine ein nicht mit für sind
    os é quanto custa uma dói depois
    """.split()
)
_ENGLISH_FUNCTION_WORDS = frozenset(
    """
    the is are am was were be a an of to and or in on at it its i im my me you your what whats how
    does do did can could will would should for with after before this that there any much many
    long safe hurt cost price when why who which where if not no yes please thanks hi hello
    """.split()
)
_MESOTHERAPY_IN_OTHER_LANGUAGES = re.compile(r"\bmes(?:o|ó)terap\w*|\bm[ée]soth[ée]rapie\b|\bmesotherapie\b")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)?")


def looks_like_another_language(text: str) -> bool:
    """True when ``text`` reads as Spanish, French, Italian, German or Portuguese rather than English."""
    lowered = (text or "").lower()
    words = [word for token in _WORD.findall(lowered) for word in re.split(r"['’]", token)]
    if any(word in _ENGLISH_FUNCTION_WORDS for word in words):
        return False
    foreign = sum(word in _OTHER_FUNCTION_WORDS for word in words)
    return foreign >= 2 or (foreign >= 1 and bool(_MESOTHERAPY_IN_OTHER_LANGUAGES.search(lowered)))
