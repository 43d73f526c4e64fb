"""Training-data checks Rasa's validator does not make, each reported as ``file:line: message``.

* an example written twice (same words, ignoring case and punctuation), in one intent or two;
* an intent that the domain does not list;
* a held-out example that is also a training example (it would inflate the held-out score).

``python -m bot lint-data [--data data/nlu] [--domain domain.yml] [--holdout tests/nlu/holdout.yml]``
prints the problems and exits 1 when there is any.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

from bot.maintain.training_data.files import TrainingDataError, domain_intents
from bot.maintain.training_data.text import normalise, strip_annotations

_INTENT = re.compile(r"^-\s+intent:\s*(\S+)\s*$")
_EXAMPLE = re.compile(r"^\s+-\s+(.*\S)\s*$")


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


def read_examples(path: Path) -> Iterator[Example]:
    """The examples of an NLU file, with their intent and line number (1-based)."""
    intent: Optional[str] = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        heading = _INTENT.match(line)
        if heading:
            intent = heading.group(1)
            continue
        if line and not line[0].isspace():
            intent = intent if line.startswith("  ") else None
        example = _EXAMPLE.match(line)
        if intent and example:
            yield Example(strip_annotations(example.group(1)), intent, path, number)


def _intent_lines(path: Path) -> Iterator[tuple]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        heading = _INTENT.match(line)
        if heading:
            yield heading.group(1), number


def check(files: Sequence[Path], intents: Sequence[str], holdout: Optional[Path] = None) -> List[str]:
    """Every problem found, as ``file:line: message``."""
    problems: List[str] = []
    known = set(intents)
    first_seen: Dict[str, Example] = {}
    for path in files:
        for intent, number in _intent_lines(path):
            if intent not in known:
                problems.append(f"{path}:{number}: intent '{intent}' is not listed in the domain")
        for example in read_examples(path):
            key = normalise(example.text)
            earlier = first_seen.setdefault(key, example)
            if earlier is not example:
                same = "again" if earlier.intent == example.intent else f"also under '{earlier.intent}'"
                problems.append(f"{example.where()}: '{example.text}' ({example.intent}) is written {same} "
                                f"at {earlier.where()}")
    if holdout is not None and holdout.exists():
        for example in read_examples(holdout):
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
