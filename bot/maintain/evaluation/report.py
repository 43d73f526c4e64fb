"""Write an evaluation's report folder: ``summary.json`` (headline figures) and ``report.md``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.maintain.evaluation.compare import Comparison

SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.md"


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file (identifies the evaluated model)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_summary(summary: Dict[str, Any], out_dir: Path) -> Path:
    """Write ``summary.json`` into ``out_dir``."""
    path = out_dir / SUMMARY_FILE
    path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_summary(path: Path) -> Dict[str, Any]:
    """Read a ``summary.json`` written by :func:`write_summary`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _cell(value: Any) -> str:
    """A Markdown table cell: floats to 3 decimals, pipes and newlines escaped."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: List[str], rows: List[List[Any]]) -> List[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def intent_table(heldout: Dict[str, Any], kfold: Optional[Dict[str, Any]]) -> List[str]:
    """Per-intent held-out precision/recall/F1/support (worst F1 first), with k-fold F1 when run."""
    kfold_intents = (kfold or {}).get("intents", {})
    header = ["intent", "precision", "recall", "F1", "support"]
    if kfold:
        header += ["k-fold F1", "k-fold support"]
    rows = []
    for name, row in sorted(heldout["intents"].items(), key=lambda item: (item[1]["f1"], item[0])):
        cells = [name, row["precision"], row["recall"], row["f1"], row["support"]]
        if kfold:
            fold = kfold_intents.get(name, {})
            cells += [fold.get("f1"), fold.get("support")]
        rows.append(cells)
    return _table(header, rows)


def headline_rows(summary: Dict[str, Any]) -> List[List[Any]]:
    """Label and value of each headline figure (for the report and the terminal)."""
    heldout, kfold, conversations = summary["heldout"], summary.get("kfold"), summary.get("conversations")
    rows: List[List[Any]] = [
        ["held-out macro intent F1", heldout["macro_f1"]],
        ["held-out accuracy", heldout["accuracy"]],
        ["held-out weighted F1", heldout["weighted_f1"]],
        ["held-out examples misclassified", f"{heldout['misclassified']} of {heldout['examples']}"],
    ]
    if kfold:
        rows.append([f"{kfold['folds']}-fold macro intent F1 (all test folds pooled)", kfold["macro_f1"]])
        per_fold = kfold.get("per_fold") or {}
        for name, figure in sorted(per_fold.items()):
            label = {"f1-score": "F1"}.get(name, name)
            rows.append(
                [
                    f"{kfold['folds']}-fold test {label} per fold (weighted), mean ± std",
                    f"{figure['mean']:.3f} ± {figure['std']:.3f}",
                ]
            )
    else:
        rows.append(["k-fold cross-validation", "not run"])
    if conversations:
        rows.append(
            ["conversation stories passed", f"{conversations['stories_passed']} of {conversations['stories_total']}"]
        )
        rows.append(
            ["conversation actions correct", f"{conversations['actions_correct']} of {conversations['actions_total']}"]
        )
    else:
        rows.append(["conversation tests", "not run"])
    return rows


def _misclassified_section(errors: List[Dict[str, Any]]) -> List[str]:
    if not errors:
        return ["none: every held-out example was classified correctly"]
    rows = [[e["text"], e["expected"], e["predicted"], e["confidence"]] for e in errors]
    return _table(["text", "expected", "predicted", "confidence"], rows)


def _conversation_section(summary: Dict[str, Any], failures: Optional[str]) -> List[str]:
    conversations = summary.get("conversations")
    if not conversations:
        return ["not run (`--skip-conversations`)"]
    if failures is None:
        return [f"none: all {conversations['stories_total']} test stories passed"]
    return [
        "Rasa's `failed_test_stories.yml` (wrong predictions are marked `# predicted:`):",
        "",
        "```yaml",
        failures,
        "```",
    ]


def _comparison_section(comparison: Optional[Comparison], live_path: Path) -> List[str]:
    if comparison is None:
        return [f"No live report at `{live_path}`: nothing to compare with."]
    lines = [f"Live report: `{live_path}`" + (" (same model)" if comparison.same_model else ""), ""]
    lines += _table(["figure", "live", "new"], [[label, old, new] for label, old, new in comparison.headline])
    changed = [
        [name, old, new, "-" if old is None or new is None else f"{(new - old) * 100:+.1f}"]
        for name, old, new in comparison.intents
        if old != new
    ]
    lines += ["", "Per-intent held-out F1 changes, biggest drops first:", ""]
    lines += _table(["intent", "live F1", "new F1", "change (points)"], changed) if changed else ["none"]
    return lines


def write_report(
    summary: Dict[str, Any],
    errors: List[Dict[str, Any]],
    failures: Optional[str],
    pictures: List[str],
    comparison: Optional[Comparison],
    live_path: Path,
    problems: List[str],
    out_dir: Path,
) -> Path:
    """Write ``report.md``: verdict, headline figures, comparison, per-intent table, pictures, failures."""
    model = summary["model"]
    lines = [
        f"# Evaluation of `{model['path']}`",
        "",
        f"- date: {summary['date']}",
        f"- model sha256: `{model['sha256']}`",
        f"- held-out set: `{summary['heldout']['data']}`",
        "- verdict: " + ("**FAILED**" if problems else "passed"),
    ]
    lines += [f"  - {problem}" for problem in problems]
    lines += ["", "## Headline figures", ""] + _table(["figure", "value"], headline_rows(summary))
    lines += ["", "## Compared with the live model", ""] + _comparison_section(comparison, live_path)
    lines += ["", "## Per-intent scores (held-out set, worst F1 first)", ""]
    lines += intent_table(summary["heldout"], summary.get("kfold"))
    lines += ["", "## Confusion matrices", ""] + [f"![{name}]({name})" for name in pictures]
    lines += ["", "## Misclassified held-out examples (most confident first)", ""]
    lines += _misclassified_section(errors)
    lines += ["", "## Conversation test failures", ""] + _conversation_section(summary, failures)
    path = out_dir / REPORT_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
