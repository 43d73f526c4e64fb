"""The evaluation commands of ``python -m bot``: ``evaluate``, ``compare`` and ``check-floor``.

``evaluate`` runs the held-out NLU test, k-fold cross-validation and the conversation tests,
writes a report folder and compares with the live model's report (see ``bot.maintain.evaluation.run``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.maintain.evaluation.compare import DEFAULT_MAX_DROP, compare, format_comparison
from bot.maintain.evaluation.report import read_summary
from bot.maintain.evaluation.results import intent_scores, macro_f1
from bot.maintain.evaluation.run import Options, evaluate
from bot.settings import Settings


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


def _run_evaluation(args: argparse.Namespace) -> int:
    return evaluate(
        Options(
            model=args.model.resolve(),
            holdout=args.holdout.resolve(),
            data=args.data.resolve(),
            config=args.config.resolve(),
            stories=args.stories.resolve(),
            folds=args.folds,
            skip_conversations=args.skip_conversations,
            out_dir=args.out.resolve(),
            live=args.live.resolve(),
            floor=args.floor,
            max_drop=args.max_drop,
            action_port=args.action_port,
            quiet=args.quiet,
        )
    )


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]", settings: Settings) -> None:
    """Add ``check-floor``, ``evaluate`` and ``compare`` to the CLI's subcommands."""
    floor = commands.add_parser("check-floor", help="fail when a held-out intent report is below the floor")
    floor.add_argument("report", type=Path)
    floor.add_argument("--floor", type=float, default=settings.intent_f1_floor)
    floor.set_defaults(func=lambda args: check_floor(args.report, args.floor))

    run = commands.add_parser("evaluate", help="test a model, write a report folder, compare with the live model")
    run.add_argument("--model", type=Path, default=settings.model_path)
    run.add_argument("--holdout", type=Path, default=Path("tests/nlu/holdout.yml"), help="held-out NLU examples")
    run.add_argument("--data", type=Path, default=Path("data"), help="training data for cross-validation")
    run.add_argument("--config", type=Path, default=Path("config.yml"), help="pipeline for cross-validation")
    run.add_argument(
        "--stories",
        type=Path,
        default=Path("tests/conversations/questions"),
        help="conversation tests, run end to end: the NLU's reading of each message is checked too",
    )
    run.add_argument("--folds", type=_folds, default=5, help="k-fold cross-validation folds; 0 skips it (default 5)")
    run.add_argument("--skip-conversations", action="store_true", help="do not run the conversation tests")
    run.add_argument("--out", type=Path, default=Path("reports/evaluation"), help="report folder")
    run.add_argument(
        "--live",
        type=Path,
        default=Path("models/live/evaluation/summary.json"),
        help="summary.json of the live model to compare with (skipped when missing)",
    )
    run.add_argument("--floor", type=float, default=settings.intent_f1_floor, help="minimum held-out macro intent F1")
    run.add_argument(
        "--max-drop",
        type=float,
        default=DEFAULT_MAX_DROP,
        help="largest allowed drop of held-out macro intent F1 from the live model (default 0.02)",
    )
    run.add_argument(
        "--action-port",
        type=int,
        default=settings.evaluation_action_port,
        help="action server port for the conversation tests (default %(default)s)",
    )
    run.add_argument("--quiet", action="store_true", help="keep Rasa's output in the step logs only")

    run.set_defaults(func=_run_evaluation)

    versus = commands.add_parser("compare", help="compare a new summary.json with the live one")
    versus.add_argument("new", type=Path)
    versus.add_argument("live", type=Path)
    versus.add_argument("--max-drop", type=float, default=DEFAULT_MAX_DROP)
    versus.set_defaults(func=lambda args: compare_files(args.new, args.live, args.max_drop))
