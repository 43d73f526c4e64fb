"""Read the files Rasa writes when it tests a model (``rasa test nlu`` / ``rasa test core``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

SUMMARY_ROWS = ("accuracy", "macro avg", "weighted avg", "micro avg", "conversation_accuracy")
INTENT_REPORT = "intent_report.json"
INTENT_ERRORS = "intent_errors.json"
INTENT_CONFUSION_MATRIX = "intent_confusion_matrix.png"
STORY_REPORT = "story_report.json"
FAILED_STORIES = "failed_test_stories.yml"
# `rasa test nlu --cross-validation` logs the per-fold test figures only as "mean (std)".
_FOLD_FIGURE = re.compile(r"\btest (Accuracy|F1-score|Precision): ([0-9.]+) \(([0-9.]+)\)")


def _read_json(path: Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def intent_scores(report_path: Path) -> Dict[str, Dict[str, float]]:
    """Per-intent precision/recall/F1/support from Rasa's ``intent_report.json``."""
    report = _read_json(report_path)
    return {name: row for name, row in report.items() if name not in SUMMARY_ROWS and isinstance(row, dict)}


def macro_f1(report_path: Path) -> float:
    """Macro-averaged intent F1 (every intent counts the same)."""
    return float(_read_json(report_path)["macro avg"]["f1-score"])


def nlu_figures(out_dir: Path) -> Dict[str, Any]:
    """Headline figures and per-intent scores of one ``rasa test nlu`` output folder."""
    report = _read_json(out_dir / INTENT_REPORT)
    intents = {
        name: {
            "precision": float(row["precision"]),
            "recall": float(row["recall"]),
            "f1": float(row["f1-score"]),
            "support": int(row["support"]),
        }
        for name, row in intent_scores(out_dir / INTENT_REPORT).items()
    }
    return {
        "macro_f1": float(report["macro avg"]["f1-score"]),
        "accuracy": float(report["accuracy"]),
        "weighted_f1": float(report["weighted avg"]["f1-score"]),
        "examples": int(report["weighted avg"]["support"]),
        "misclassified": len(misclassified(out_dir)),
        "intents": intents,
    }


def misclassified(out_dir: Path) -> List[Dict[str, Any]]:
    """Wrongly classified examples (text, expected, predicted, confidence), most confident first."""
    path = out_dir / INTENT_ERRORS
    if not path.exists():  # Rasa writes no errors file when every example was right
        return []
    errors = [
        {
            "text": error["text"],
            "expected": error["intent"],
            "predicted": error["intent_prediction"]["name"],
            "confidence": float(error["intent_prediction"]["confidence"]),
        }
        for error in _read_json(path)
    ]
    return sorted(errors, key=lambda error: -error["confidence"])


def fold_figures(log_text: str) -> Dict[str, Dict[str, float]]:
    """Mean and standard deviation over the test folds, from the cross-validation log.

    Rasa computes them per fold with weighted averages and only logs them, e.g.
    ``test F1-score: 0.912 (0.015)``; the intent lines come first (entity extractors' may
    follow). Missing lines (e.g. a quiet log) give ``{}``.
    """
    figures: Dict[str, Dict[str, float]] = {}
    for name, mean, std in _FOLD_FIGURE.findall(log_text):
        figures.setdefault(name.lower(), {"mean": float(mean), "std": float(std)})
    return figures


def conversation_figures(out_dir: Path) -> Dict[str, int]:
    """Stories passed/total and actions predicted correctly/total from ``story_report.json``."""
    report = _read_json(out_dir / STORY_REPORT)
    actions_total = int(report["weighted avg"]["support"])
    stories = report["conversation_accuracy"]
    return {
        "stories_passed": int(stories["correct"]),
        "stories_total": int(stories["total"]),
        "actions_correct": round(float(report["accuracy"]) * actions_total),
        "actions_total": actions_total,
    }


def failed_stories(out_dir: Path) -> Optional[str]:
    """The failed test stories as Rasa wrote them (with its ``# predicted:`` comments), or None."""
    path = out_dir / FAILED_STORIES
    text = path.read_text(encoding="utf-8").strip() if path.exists() else ""
    if not text or all(line.startswith("#") for line in text.splitlines()):
        return None
    return text
