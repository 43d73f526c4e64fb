"""Compare a new evaluation summary with the live model's: headline figures, per-intent F1, regression."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

DEFAULT_MAX_DROP = 0.02  # held-out macro intent F1 may drop by at most 2 points
_TOLERANCE = 1e-9  # so that a drop of exactly the limit (in floating point) still passes

Figure = Tuple[str, Optional[float], Optional[float]]  # label, live, new


@dataclass(frozen=True)
class Comparison:
    """Live vs new figures; ``regression`` is the failure message, or None."""

    headline: List[Figure]
    intents: List[Figure]
    regression: Optional[str]
    same_model: bool


def _get(summary: Dict[str, Any], section: str, key: str) -> Optional[float]:
    values = summary.get(section) or {}
    return values.get(key)


def _headline(summary: Dict[str, Any]) -> Dict[str, Optional[float]]:
    conversations = summary.get("conversations") or {}
    passed, total = conversations.get("stories_passed"), conversations.get("stories_total")
    return {
        "held-out macro intent F1": _get(summary, "heldout", "macro_f1"),
        "held-out accuracy": _get(summary, "heldout", "accuracy"),
        "held-out weighted F1": _get(summary, "heldout", "weighted_f1"),
        "k-fold macro intent F1": _get(summary, "kfold", "macro_f1"),
        "conversation stories passed": passed / total if total else None,
    }


def _intent_changes(new: Dict[str, Any], live: Dict[str, Any]) -> List[Figure]:
    """Per-intent held-out F1, biggest drop first; intents only one side has come last."""
    new_intents = (new.get("heldout") or {}).get("intents", {})
    live_intents = (live.get("heldout") or {}).get("intents", {})
    rows = [
        (name, live_intents.get(name, {}).get("f1"), new_intents.get(name, {}).get("f1"))
        for name in sorted(set(new_intents) | set(live_intents))
    ]

    def order(row: Figure) -> Tuple[int, float, str]:
        name, old, now = row
        if old is None or now is None:
            return (1, 0.0, name)
        return (0, now - old, name)

    return sorted(rows, key=order)


def regression_message(live_f1: float, new_f1: float, max_drop: float = DEFAULT_MAX_DROP) -> Optional[str]:
    """The REGRESSION message when macro F1 dropped by more than ``max_drop``, else None."""
    drop = live_f1 - new_f1
    if drop <= max_drop + _TOLERANCE:
        return None
    return (
        f"REGRESSION: held-out intent F1 dropped from {live_f1:.3f} to {new_f1:.3f} "
        f"(-{drop * 100:.1f} points, limit {max_drop * 100:g})"
    )


def compare(new: Dict[str, Any], live: Dict[str, Any], max_drop: float = DEFAULT_MAX_DROP) -> Comparison:
    """Compare two summaries (as written to ``summary.json``) of the new and the live model."""
    new_figures, live_figures = _headline(new), _headline(live)
    headline = [
        (label, live_figures[label], new_figures[label])
        for label in new_figures
        if (live_figures[label], new_figures[label]) != (None, None)
    ]
    return Comparison(
        headline=headline,
        intents=_intent_changes(new, live),
        regression=regression_message(live["heldout"]["macro_f1"], new["heldout"]["macro_f1"], max_drop),
        same_model=(new.get("model") or {}).get("sha256") == (live.get("model") or {}).get("sha256"),
    )


def _number(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3f}"


def _change(old: Optional[float], new: Optional[float]) -> str:
    return "" if old is None or new is None else f"{(new - old) * 100:+.1f} pts"


def _intent_change(old: Optional[float], new: Optional[float]) -> str:
    if old is None:
        return "new intent"
    return "not in the new model" if new is None else _change(old, new)


def format_comparison(comparison: Comparison) -> List[str]:
    """Plain-text lines: headline figures live vs new, then per-intent F1 changes."""
    lines = [f"{'':30} {'live':>7} {'new':>7}  change"]
    lines += [
        f"{label:30} {_number(old):>7} {_number(new):>7}  {_change(old, new)}"
        for label, old, new in comparison.headline
    ]
    changed = [row for row in comparison.intents if row[1] != row[2]]
    lines.append(
        "per-intent held-out F1 changes (biggest drops first):" if changed else "per-intent held-out F1: no change"
    )
    lines += [
        f"  {name:28} {_number(old):>7} {_number(new):>7}  {_intent_change(old, new)}" for name, old, new in changed
    ]
    if comparison.same_model:
        lines.append("(the new model is the live model: same sha256)")
    return lines
