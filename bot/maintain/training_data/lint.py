"""Training-data checks Rasa's validator does not make, each reported as ``file:line: message``.

* an example written twice (same words, ignoring case and punctuation), in one intent or two;
* an intent that the domain does not list;
* a held-out example that is also a training example (it would inflate the held-out score).

``python -m bot lint-data [--data data/nlu] [--domain domain.yml] [--holdout tests/nlu/holdout.yml]``
prints the problems and exits 1 when there is any.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

from bot.maintain.training_data.files import TrainingDataError, TrainingFile, domain_intents, read_training_file
from bot.maintain.training_data.text import normalise, strip_annotations


@dataclass(frozen=True)
class Example:
    """One training example and where it is written."""

    text: str
    intent: str
    path: Path
    line: int

    def where(self) -> str:
        """``file:line``."""
        return f"{self.path}:{self.line}"


def read_examples(training_file: TrainingFile) -> Iterator[Example]:
    """The examples of an NLU file (read by ``files.read_training_file``), annotations removed."""
    for written in training_file.written:
        yield Example(strip_annotations(written.text), written.intent, training_file.path, written.line)


def _read(path: Path, problems: List[str]) -> TrainingFile:
    """``path`` read, or nothing (the reason added to ``problems``) when it cannot be."""
    try:
        return read_training_file(path)
    except TrainingDataError as error:
        problems.append(str(error))
        return TrainingFile(path, [])


def check(files: Sequence[Path], intents: Sequence[str], holdout: Optional[Path] = None) -> List[str]:
    """Every problem found, as ``file:line: message``."""
    problems: List[str] = []
    known = set(intents)
    first_seen: Dict[str, Example] = {}
    for path in files:
        training_file = _read(path, problems)
        for intent, number in training_file.headings:
            if intent not in known:
                problems.append(f"{path}:{number}: intent '{intent}' is not listed in the domain")
        for example in read_examples(training_file):
            key = normalise(example.text)
            earlier = first_seen.setdefault(key, example)
            if earlier is not example:
                same = "again" if earlier.intent == example.intent else f"also under '{earlier.intent}'"
                problems.append(f"{example.where()}: '{example.text}' ({example.intent}) is written {same} "
                                f"at {earlier.where()}")
    if holdout is not None and holdout.exists():
        for example in read_examples(_read(holdout, problems)):
            trained = first_seen.get(normalise(example.text))
            if trained is not None:
                problems.append(f"{example.where()}: held-out example '{example.text}' is also a training "
                                f"example at {trained.where()}")
    return problems


def lint(args: argparse.Namespace) -> int:
    """Print the problems; exit 1 when there is any."""
    try:
        intents = domain_intents(args.domain)
    except TrainingDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    files = sorted(args.data.glob("*.yml")) if args.data.is_dir() else [args.data]
    problems = check(files, intents, args.holdout)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in {len(files)} training file(s)"
          + (f" and {args.holdout}" if args.holdout.exists() else ""))
    return 1 if problems else 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``lint-data`` to the CLI's subcommands."""
    parser = commands.add_parser("lint-data", help=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/nlu"))
    parser.add_argument("--domain", type=Path, default=Path("domain.yml"))
    parser.add_argument("--holdout", type=Path, default=Path("tests/nlu/holdout.yml"))
    parser.set_defaults(func=lint)
