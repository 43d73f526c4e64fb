"""The ``evaluate`` command: test a trained model, write the report folder, compare with the live model."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.maintain.evaluation import results
from bot.maintain.evaluation.compare import Comparison, compare, format_comparison
from bot.maintain.evaluation.report import (
    REPORT_FILE,
    SUMMARY_FILE,
    headline_rows,
    read_summary,
    sha256,
    write_report,
    write_summary,
)
from bot.maintain.evaluation.steps import StepFailed, conversations_step, heldout_step, kfold_step, run_step
from bot.settings import PROJECT_ROOT

STEP_DIRS = ("heldout", "kfold", "conversations")


@dataclass(frozen=True)
class Options:
    """What to evaluate, where to write the report and which checks to apply."""

    model: Path
    holdout: Path
    data: Path
    config: Path
    stories: Path
    folds: int
    skip_conversations: bool
    out_dir: Path
    live: Path
    floor: float
    max_drop: float
    action_port: int
    quiet: bool


def _shown(path: Path) -> str:
    """A path relative to the project when it is inside it (stable across machines)."""
    path = path.resolve()
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def _clear_previous(out_dir: Path) -> None:
    """Remove what an earlier evaluation wrote here, so no stale figure survives."""
    for name in STEP_DIRS:
        shutil.rmtree(out_dir / name, ignore_errors=True)
    for name in (SUMMARY_FILE, REPORT_FILE, *(f"{step}_confusion_matrix.png" for step in STEP_DIRS)):
        (out_dir / name).unlink(missing_ok=True)


def _run_steps(options: Options) -> Dict[str, float]:
    """Run the Rasa commands; return the seconds each step took."""
    out = options.out_dir
    steps = [("heldout", heldout_step(options.model, options.holdout, out / "heldout"))]
    if options.folds:
        steps.append(("kfold", kfold_step(options.data, options.config, options.folds, out / "kfold")))
    if not options.skip_conversations:
        steps.append(
            (
                "conversations",
                conversations_step(options.model, options.stories, out / "conversations", options.action_port),
            )
        )
    return {
        name: round(run_step(step, f"{index}/{len(steps)}", options.quiet, options.action_port), 1)
        for index, (name, step) in enumerate(steps, start=1)
    }


def _summary(options: Options, timings: Dict[str, float]) -> Dict[str, Any]:
    out = options.out_dir
    summary: Dict[str, Any] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": {"path": _shown(options.model), "sha256": sha256(options.model)},
        "heldout": {"data": _shown(options.holdout), **results.nlu_figures(out / "heldout")},
        "kfold": None,
        "conversations": None,
        "timings_seconds": timings,
    }
    if options.folds:
        log = (out / "kfold" / "rasa.log").read_text(encoding="utf-8")
        summary["kfold"] = {
            "folds": options.folds,
            "data": _shown(options.data),
            "config": _shown(options.config),
            **results.nlu_figures(out / "kfold"),
            "per_fold": results.fold_figures(log),
        }
    if not options.skip_conversations:
        summary["conversations"] = {
            "stories": _shown(options.stories),
            **results.conversation_figures(out / "conversations"),
        }
    return summary


def _copy_pictures(out_dir: Path) -> List[str]:
    """Copy Rasa's intent confusion matrices to the top of the report folder; return their names."""
    names = []
    for step in ("heldout", "kfold"):
        picture = out_dir / step / results.INTENT_CONFUSION_MATRIX
        if picture.exists():
            names.append(f"{step}_confusion_matrix.png")
            shutil.copyfile(picture, out_dir / names[-1])
    return names


def _problems(summary: Dict[str, Any], comparison: Optional[Comparison], floor: float) -> List[str]:
    """Every failed check, as the message to show."""
    problems = []
    heldout_f1 = summary["heldout"]["macro_f1"]
    if heldout_f1 < floor:
        problems.append(f"BELOW THE FLOOR: held-out intent F1 {heldout_f1:.3f} is under {floor:.2f}")
    if comparison and comparison.regression:
        problems.append(comparison.regression)
    conversations = summary["conversations"]
    if conversations and conversations["stories_passed"] < conversations["stories_total"]:
        failed = conversations["stories_total"] - conversations["stories_passed"]
        problems.append(f"CONVERSATIONS: {failed} of {conversations['stories_total']} test stories failed")
    return problems


def evaluate(options: Options) -> int:
    """Run the evaluation; return 0 when every check passes, 1 otherwise."""
    if not options.model.is_file():
        print(f"ERROR: no model at {options.model} (train one first, e.g. `make train`)", file=sys.stderr)
        return 1
    live = read_summary(options.live) if options.live.is_file() else None  # before --out may replace it
    options.out_dir.mkdir(parents=True, exist_ok=True)
    _clear_previous(options.out_dir)
    try:
        timings = _run_steps(options)
    except StepFailed as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    summary = _summary(options, timings)
    comparison = compare(summary, live, options.max_drop) if live else None
    summary["problems"] = _problems(summary, comparison, options.floor)
    write_summary(summary, options.out_dir)
    report = write_report(
        summary,
        results.misclassified(options.out_dir / "heldout"),
        results.failed_stories(options.out_dir / "conversations") if summary["conversations"] else None,
        _copy_pictures(options.out_dir),
        comparison,
        options.live,
        summary["problems"],
        options.out_dir,
    )
    _print_outcome(summary, comparison, options, report)
    return 1 if summary["problems"] else 0


def _print_outcome(summary: Dict[str, Any], comparison: Optional[Comparison], options: Options, report: Path) -> None:
    print("\nHeadline figures:")
    for label, value in headline_rows(summary):
        print(f"  {label}: {value:.3f}" if isinstance(value, float) else f"  {label}: {value}")
    if comparison is None:
        print(f"\nNo live report at {options.live}: nothing to compare with.")
    else:
        print(f"\nCompared with the live model ({options.live}):")
        print("\n".join(format_comparison(comparison)))
    print(f"\nReport: {report}  (summary: {options.out_dir / SUMMARY_FILE})", flush=True)
    for problem in summary["problems"]:
        print(problem, file=sys.stderr)
    print("Evaluation FAILED." if summary["problems"] else "Evaluation passed.", flush=True)
