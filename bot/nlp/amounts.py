"""Whether "how much" asks an amount of something other than money ("How much belly fat is too much?",
"how much bruising is normal after mesotherapy?", "how much downtime is there?"): no price question,
though the classifier learnt "how much" from them. Used by subject rule 9 (:mod:`bot.nlp.subject_rules`).
"""

from __future__ import annotations

import re

# Words of a question about money: "how much is it", "how much per session", "how much for hair meso".
_MONEY = re.compile(
    r"\b(?:cost\w*|pric\w*|pay\w*|charg\w*|fees?|expensive|cheap\w*|afford\w*|budget|money|spend\w*|"
    r"euros?|dollars?|pounds?|usd|gbp|eur|insurance|insured|worth|deposit|discount\w*)\b|[$£€]",
    re.IGNORECASE,
)
# "how much <a thing>" (not "how much is / does / for / per ..."), or "too much / too little".
_AMOUNT_OF_A_THING = re.compile(
    r"\bhow much\s+(?!(?:is|does|do|did|will|would|are|was|were|for|per|should|can|could|it|they|that|this|"
    r"a|an|the|each|one|roughly|approximately|about|on|in|at|to)\b)[a-z]+"
    r"|\btoo (?:much|little)\b",
    re.IGNORECASE,
)


def asks_an_amount_not_money(text: str) -> bool:
    """True when ``text`` asks how much of something there is, not what something costs."""
    return bool(_AMOUNT_OF_A_THING.search(text)) and not _MONEY.search(text)
