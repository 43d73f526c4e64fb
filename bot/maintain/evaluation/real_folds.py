"""Cross-validation on the real questions' training half, split by source page.

The held-out half (``tests/nlu/real/heldout.yml``, 230 questions with a topic) is small: a change
of three questions is noise. ``python -m bot cross-validate-real`` adds a second measure on the
703 questions of the training half: their source pages are dealt into folds; for each fold the
real Rasa pipeline (``config.yml``: classifier, subject rules, fallback) is trained without that
fold's questions, nor the adapted questions from its pages (``tests/nlu/real/adapted``), and
``rasa test nlu`` asks it the fold's questions. Scored by the rubric of ``labels.yml`` on the
intent alone (no servers, so no reply content), a prediction under the fallback threshold being the
visitor's "did you mean": topic right for guide and not-in-guide questions, off-topic questions
classified out of scope or sent to "did you mean".
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Sequence, Set, Tuple

import yaml

from bot.maintain.evaluation.real_questions import (
    DEFAULT_LABELS,
    FALLBACK,
    OFF_TOPIC,
    Labels,
    RealQuestion,
    RealQuestionsError,
    read_labels,
    read_questions,
)
from bot.maintain.evaluation.steps import RASA, Step, StepFailed, run_step
from bot.maintain.training_data import adapted
from bot.maintain.training_data.files import TrainingDataError, read_training_file
from bot.maintain.training_data.text import normalise, one_line
from bot.nlp.other_subjects import DEFAULT_PATH as OTHER_SUBJECTS_PATH
from bot.nlp.other_subjects import OtherSubjects
from bot.settings import PROJECT_ROOT, Settings

DEFAULT_TRAINING_HALF = PROJECT_ROOT / "tests" / "nlu" / "real" / "train.yml"
DEFAULT_OUT = PROJECT_ROOT / "reports" / "real-folds"


def deal_pages(questions: Sequence[RealQuestion], folds: int, seed: int) -> List[Set[str]]:
    """The source pages dealt into ``folds`` sets, in a shuffled order fixed by ``seed``."""
    pages = sorted({question.source for question in questions})
    random.Random(seed).shuffle(pages)
    return [set(pages[fold::folds]) for fold in range(folds)]


def _without_lines(path: Path, texts: Set[str]) -> str:
    """The NLU file at ``path`` less the example lines whose normalised text is in ``texts``."""
    training_file = read_training_file(path)
    dropped = {example.line for example in training_file.written if normalise(example.text) in texts}
    return "".join(line for number, line in enumerate(training_file.lines, start=1) if number not in dropped)


def write_fold_data(
    data_dir: Path,
    target: Path,
    fold_questions: Sequence[RealQuestion],
    fold_pages: Set[str],
    paths: Mapping[str, Path],
) -> None:
    """``data_dir``'s NLU files into ``target`` without the fold: its questions (in whichever file
    they are written) and the adapted questions gathered from its pages."""
    target.mkdir(parents=True)
    texts = {normalise(question.text) for question in fold_questions}
    for path in sorted(data_dir.glob("*.yml")):
        if path.name == adapted.OUTPUT_NAME:
            continue
        (target / path.name).write_text(_without_lines(path, texts), encoding="utf-8")
    sources = sorted(paths["adapted"].glob("*.yml"))
    kept = [
        q
        for path in sources
        for q in adapted.read_adapted(path)
        if q.source.rstrip("/") not in fold_pages and normalise(q.text) not in texts
    ]
    report = adapted.select(
        kept,
        data_dir=target,
        output=target / adapted.OUTPUT_NAME,
        holdout=paths["holdout"],
        real_heldout=paths["real_heldout"],
        other_subjects=OtherSubjects.load(OTHER_SUBJECTS_PATH, paths["vocabulary"]),
    )
    (target / adapted.OUTPUT_NAME).write_text(adapted.nlu_document(report, sources), encoding="utf-8")


def questions_document(questions: Sequence[RealQuestion], labels: Labels) -> str:
    """A Rasa NLU file of the fold's questions, each under one intent that is right for it (the
    gold intent only names the question's group: scoring uses every intent the rubric allows)."""
    by_intent: Dict[str, List[str]] = defaultdict(list)
    for question in questions:
        by_intent[sorted(labels.allowed_intents(question))[0]].append(one_line(question.text))
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in sorted(by_intent.items()):
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {text}" for text in dict.fromkeys(texts)]
    return "\n".join(lines) + "\n"


def fallback_threshold(config: Path) -> float:
    """The FallbackClassifier's ``threshold`` in the pipeline of ``config`` (0 without one)."""
    document = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    for component in document.get("pipeline") or []:
        if isinstance(component, dict) and component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3))  # Rasa's default
    return 0.0


def read_predictions(out_dir: Path, threshold: float) -> Dict[str, str]:
    """Each asked question (normalised) -> the intent the model gave it, from ``rasa test nlu --successes``.

    ``rasa test nlu`` undoes the FallbackClassifier's predictions (it scores the classifier); a visitor
    gets "did you mean" below ``threshold``, so such a prediction is ``nlu_fallback`` here again.
    A subject rule's decision carries confidence 1 and stays. (The ambiguity threshold is not applied:
    the report gives no ranking.)
    """
    predicted: Dict[str, str] = {}
    for name in ("intent_successes.json", "intent_errors.json"):
        path = out_dir / name
        if path.exists():
            for entry in json.loads(path.read_text(encoding="utf-8")):
                prediction = entry.get("intent_prediction") or {}
                unsure = float(prediction.get("confidence") or 0.0) < threshold
                predicted[normalise(entry["text"])] = FALLBACK if unsure else str(prediction.get("name") or "")
    return predicted


@dataclass
class FoldScore:
    """Right / asked, per label."""

    right: Dict[str, int]
    asked: Dict[str, int]

    def add(self, label: str, ok: bool) -> None:
        """Count one question of ``label``."""
        self.asked[label] = self.asked.get(label, 0) + 1
        self.right[label] = self.right.get(label, 0) + int(ok)

    def rate(self, labels: Sequence[str]) -> Tuple[int, int]:
        """Right and asked over ``labels``."""
        return sum(self.right.get(label, 0) for label in labels), sum(self.asked.get(label, 0) for label in labels)


def score(questions: Sequence[RealQuestion], predicted: Mapping[str, str], labels: Labels, into: FoldScore) -> None:
    """Add each question's verdict to ``into``: its predicted intent is one the rubric allows."""
    for question in questions:
        intent = predicted.get(normalise(question.text))
        if intent is None:
            raise RealQuestionsError(f"rasa test nlu gave no prediction for {question.text!r}")
        into.add(question.label, intent in labels.allowed_intents(question))


def cross_validate(args: argparse.Namespace, settings: Settings) -> int:
    """Train and test one model per fold; print and write the figures."""
    try:
        questions = read_questions(args.questions)
        labels = read_labels(args.labels, settings.topics_path)
        for question in questions:
            labels.allowed_intents(question)
    except RealQuestionsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    paths = {
        "adapted": args.adapted,
        "holdout": args.holdout,
        "real_heldout": args.real_holdout,
        "vocabulary": settings.vocabulary_path,
    }
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    total = FoldScore({}, {})
    threshold = fallback_threshold(args.config)
    with tempfile.TemporaryDirectory(prefix="real-folds-") as scratch:
        for number, pages in enumerate(deal_pages(questions, args.folds, args.seed), start=1):
            fold = [question for question in questions if question.source in pages]
            work = Path(scratch) / f"fold{number}"
            try:
                write_fold_data(settings.nlu_dir, work / "nlu", fold, pages, paths)
                (work / "test.yml").write_text(questions_document(fold, labels), encoding="utf-8")
                train = Step(
                    title=f"fold {number}/{args.folds}: train without {len(fold)} questions from {len(pages)} pages",
                    estimate="about a minute",
                    command=[
                        RASA,
                        "train",
                        "nlu",
                        "--config",
                        str(args.config),
                        "--nlu",
                        str(work / "nlu"),
                        "--out",
                        str(work),
                        "--fixed-model-name",
                        "fold",
                    ],
                    log=out / f"fold{number}" / "train.log",
                )
                test = Step(
                    title=f"fold {number}/{args.folds}: ask its questions",
                    estimate="about 20 s",
                    command=[
                        RASA,
                        "test",
                        "nlu",
                        "--model",
                        str(work / "fold.tar.gz"),
                        "--nlu",
                        str(work / "test.yml"),
                        "--out",
                        str(out / f"fold{number}"),
                        "--successes",
                    ],
                    log=out / f"fold{number}" / "test.log",
                )
                run_step(train, str(number), True, settings.action_port)
                run_step(test, str(number), True, settings.action_port)
                score(fold, read_predictions(out / f"fold{number}", threshold), labels, total)
            except (StepFailed, RealQuestionsError, TrainingDataError, adapted.AdaptedError) as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
    return _report(total, labels, out, args, threshold)


def _report(total: FoldScore, labels: Labels, out: Path, args: argparse.Namespace, threshold: float) -> int:
    topic_labels = [label for label in total.asked if label != OFF_TOPIC]
    topic_right, topic_asked = total.rate(topic_labels)
    off_right, off_asked = total.rate([OFF_TOPIC])
    order = [label for label in labels.row_order if label in total.asked]
    for label in order:
        print(f"{label:<28} {total.asked[label]:>4}  {total.right.get(label, 0):>4}/{total.asked[label]}")
    print(
        f"\ntopic accuracy (guide and not-in-guide questions): {topic_right / max(1, topic_asked):.3f} "
        f"({topic_right}/{topic_asked})"
    )
    print(
        f"off-topic questions out of scope or did-you-mean: {off_right / max(1, off_asked):.3f} ({off_right}/{off_asked})"
    )
    print(f'(a prediction below the fallback threshold {threshold} counts as the visitor\'s "did you mean")')
    summary = {
        "questions": str(args.questions),
        "folds": args.folds,
        "seed": args.seed,
        "fallback_threshold": threshold,
        "topic_accuracy": {"right": topic_right, "asked": topic_asked},
        "off_topic": {"right": off_right, "asked": off_asked},
        "labels": {label: {"right": total.right.get(label, 0), "asked": total.asked[label]} for label in order},
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"Summary: {out / 'summary.json'}")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]", settings: Settings) -> None:
    """Add ``cross-validate-real`` to the CLI."""
    parser = commands.add_parser(
        "cross-validate-real", help="train and test the real pipeline on the real training half, folds by source page"
    )
    parser.add_argument("--questions", type=Path, default=DEFAULT_TRAINING_HALF, help="default %(default)s")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="how the pages are dealt (default %(default)s)")
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    parser.add_argument("--adapted", type=Path, default=adapted.SOURCES)
    parser.add_argument("--holdout", type=Path, default=PROJECT_ROOT / "tests" / "nlu" / "holdout.yml")
    parser.add_argument("--real-holdout", type=Path, default=PROJECT_ROOT / "tests" / "nlu" / "real" / "heldout.yml")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default %(default)s")
    parser.set_defaults(func=lambda args: cross_validate(args, settings))
