"""Read Rasa's NLU evaluation reports and enforce a quality floor."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, List, Optional

SUMMARY_ROWS = ("accuracy", "macro avg", "weighted avg", "micro avg")


def intent_scores(report_path: Path) -> Dict[str, Dict[str, float]]:
    """Per-intent precision/recall/F1/support from Rasa's ``intent_report.json``."""
    report = json.loads(Path(report_path).read_text())
    return {name: row for name, row in report.items() if name not in SUMMARY_ROWS and isinstance(row, dict)}


def macro_f1(report_path: Path) -> float:
    """Macro-averaged intent F1 (every intent counts the same)."""
    return float(json.loads(Path(report_path).read_text())["macro avg"]["f1-score"])


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


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point: ``python -m bot.evaluation check-floor REPORT --floor F``."""
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation")
    commands = parser.add_subparsers(dest="command", required=True)
    floor = commands.add_parser("check-floor")
    floor.add_argument("report", type=Path)
    floor.add_argument("--floor", type=float, default=0.90)
    args = parser.parse_args(argv)
    return check_floor(args.report, args.floor)


if __name__ == "__main__":
    sys.exit(main())
