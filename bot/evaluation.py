"""Evaluate trained models: ``python -m bot.evaluation evaluate|compare|check-floor``.

``evaluate`` runs the held-out NLU test, k-fold cross-validation and the conversation tests,
writes a report folder and compares with the live model's report (see ``bot.evaluation_run``).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import List, Optional

from bot.evaluation_compare import DEFAULT_MAX_DROP, compare, format_comparison
from bot.evaluation_report import read_summary
from bot.evaluation_results import intent_scores, macro_f1
from bot.evaluation_run import Options, evaluate

DEFAULT_FLOOR = 0.85
DEFAULT_ACTION_PORT = 5255  # not 5055, so that a running `make run` does not get in the way


def check_floor(report_path: Path, floor: float) -> int:
    """Print the per-intent table; return 1 when macro F1 is below ``floor``."""
    scores = intent_scores(report_path)
    print(f"{'intent':32} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}")
    for name, row in sorted(scores.items(), key=lambda item: item[1]["f1-score"]):
        print(f"{name:32} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1-score']:6.3f} {row['support']:4.0f}")
    score = macro_f1(report_path)
    verdict = "OK" if score >= floor else "BELOW THE FLOOR"
    print(f"held-out intent F1 (macro): {score:.3f} (floor {floor:.2f}) {verdict}")
    return 0 if score >= floor else 1


def compare_files(new_path: Path, live_path: Path, max_drop: float) -> int:
    """Print the comparison of two ``summary.json`` files; return 1 on a regression."""
    missing = [str(path) for path in (new_path, live_path) if not path.is_file()]
    if missing:
        print(f"ERROR: no summary at {', '.join(missing)}", file=sys.stderr)
        return 1
    comparison = compare(read_summary(new_path), read_summary(live_path), max_drop)
    print("\n".join(format_comparison(comparison)))
    if comparison.regression:
        print(comparison.regression, file=sys.stderr)
        return 1
    return 0


def _folds(value: str) -> int:
    folds = int(value)
    if folds == 1 or folds < 0:
        raise argparse.ArgumentTypeError("use 0 (skip) or at least 2 folds")
    return folds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation")
    commands = parser.add_subparsers(dest="command", required=True)

    floor = commands.add_parser("check-floor", help="fail when a held-out intent report is below the floor")
    floor.add_argument("report", type=Path)
    floor.add_argument("--floor", type=float, default=DEFAULT_FLOOR)

    run = commands.add_parser("evaluate", help="test a model, write a report folder, compare with the live model")
    run.add_argument("--model", type=Path, default=Path("models/mesotherapy.tar.gz"))
    run.add_argument("--holdout", type=Path, default=Path("tests/nlu/holdout.yml"), help="held-out NLU examples")
    run.add_argument("--data", type=Path, default=Path("data"), help="training data for cross-validation")
    run.add_argument("--config", type=Path, default=Path("config.yml"), help="pipeline for cross-validation")
    run.add_argument("--stories", type=Path, default=Path("tests/conversations"), help="conversation tests")
    run.add_argument("--folds", type=_folds, default=5, help="k-fold cross-validation folds; 0 skips it (default 5)")
    run.add_argument("--skip-conversations", action="store_true", help="do not run the conversation tests")
    run.add_argument("--out", type=Path, default=Path("reports/evaluation"), help="report folder")
    run.add_argument("--live", type=Path, default=Path("models/live/evaluation/summary.json"),
                     help="summary.json of the live model to compare with (skipped when missing)")
    run.add_argument("--floor", type=float, default=DEFAULT_FLOOR, help="minimum held-out macro intent F1")
    run.add_argument("--max-drop", type=float, default=DEFAULT_MAX_DROP,
                     help="largest allowed drop of held-out macro intent F1 from the live model (default 0.02)")
    run.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", DEFAULT_ACTION_PORT)),
                     help=f"action server port for the conversation tests (ACTION_PORT, default {DEFAULT_ACTION_PORT})")
    run.add_argument("--quiet", action="store_true", help="keep Rasa's output in the step logs only")

    versus = commands.add_parser("compare", help="compare a new summary.json with the live one")
    versus.add_argument("new", type=Path)
    versus.add_argument("live", type=Path)
    versus.add_argument("--max-drop", type=float, default=DEFAULT_MAX_DROP)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point: ``python -m bot.evaluation COMMAND`` (``--help`` lists the options)."""
    args = _parser().parse_args(argv)
    if args.command == "check-floor":
        return check_floor(args.report, args.floor)
    if args.command == "compare":
        return compare_files(args.new, args.live, args.max_drop)
    return evaluate(Options(
        model=args.model.resolve(), holdout=args.holdout.resolve(), data=args.data.resolve(),
        config=args.config.resolve(), stories=args.stories.resolve(), folds=args.folds,
        skip_conversations=args.skip_conversations, out_dir=args.out.resolve(), live=args.live.resolve(),
        floor=args.floor, max_drop=args.max_drop, action_port=args.action_port, quiet=args.quiet,
    ))


if __name__ == "__main__":
    sys.exit(main())
