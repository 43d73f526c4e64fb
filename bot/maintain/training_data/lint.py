"""Training-data checks Rasa's validator does not make, each reported as ``file:line: message``.

* an example written twice (same words, ignoring case and punctuation), in one intent or two;
* an intent that the domain does not list;
* a held-out example that is also a training example (it would inflate the held-out score);
* a held-out real visitor's question (``tests/nlu/real/heldout.yml``) written in the training
  data, or a near-duplicate of it: the same words, or a ``difflib`` similarity of at least 0.9
  on the normalised text with at least 3/4 of the words shared (a typo or a word more, not "the
  risks" for "the uses"); it would inflate the real-question evaluation.

``python -m bot lint-data [--data data/nlu] [--domain domain.yml] [--holdout tests/nlu/holdout.yml]
[--real-holdout tests/nlu/real/heldout.yml]`` prints the problems and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

import yaml

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


NEAR_DUPLICATE_RATIO = 0.9
SHARED_WORDS = 0.75  # and at least this share of the words


def read_real_questions(path: Path) -> List[Example]:
    """The questions of a real-question file (a YAML list of ``{text, topic, ...}``), with their lines."""
    try:
        document = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise TrainingDataError(f"cannot read {path}: {error}") from error
    if not isinstance(document, yaml.SequenceNode):
        raise TrainingDataError(f"{path}: expected a list of questions")
    questions = []
    for entry in document.value:
        values = {key.value: value for key, value in entry.value} if isinstance(entry, yaml.MappingNode) else {}
        text, topic = values.get("text"), values.get("topic")
        if isinstance(text, yaml.ScalarNode) and str(text.value).strip():
            questions.append(
                Example(
                    str(text.value),
                    str(topic.value) if isinstance(topic, yaml.ScalarNode) else "",
                    path,
                    text.start_mark.line + 1,
                )
            )
    return questions


def _shared_words(first: str, second: str) -> float:
    """The share of the two texts' distinct words that both have (1.0: the same words)."""
    words_first, words_second = set(first.split()), set(second.split())
    return len(words_first & words_second) / max(1, len(words_first | words_second))


def real_question_leaks(
    trained: Sequence[Example], questions: Sequence[Example], ratio: float = NEAR_DUPLICATE_RATIO
) -> List[str]:
    """Each training example that is a held-out real question or a near-duplicate of one."""
    problems = []
    for question in questions:
        held_out = normalise(question.text)
        matcher = difflib.SequenceMatcher(None, b=held_out, autojunk=False)
        for example in trained:
            written = normalise(example.text)
            matcher.set_seq1(written)
            if written == held_out:
                how = "is"
            elif (
                matcher.real_quick_ratio() >= ratio
                and matcher.quick_ratio() >= ratio
                and matcher.ratio() >= ratio
                and _shared_words(written, held_out) >= SHARED_WORDS
            ):
                how = f"is a near-duplicate (similarity {matcher.ratio():.2f}) of"
            else:
                continue
            problems.append(
                f"{example.where()}: training example '{example.text}' ({example.intent}) {how} "
                f"the held-out real question '{question.text}' at {question.where()}"
            )
    return problems


def check(
    files: Sequence[Path], intents: Sequence[str], holdout: Optional[Path] = None, real_holdout: Optional[Path] = None
) -> List[str]:
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
                problems.append(
                    f"{example.where()}: '{example.text}' ({example.intent}) is written {same} at {earlier.where()}"
                )
    if holdout is not None and holdout.exists():
        for example in read_examples(_read(holdout, problems)):
            trained = first_seen.get(normalise(example.text))
            if trained is not None:
                problems.append(
                    f"{example.where()}: held-out example '{example.text}' is also a training "
                    f"example at {trained.where()}"
                )
    if real_holdout is not None and real_holdout.exists():
        try:
            questions = read_real_questions(real_holdout)
        except TrainingDataError as error:
            problems.append(str(error))
        else:
            problems += real_question_leaks(list(first_seen.values()), questions)
    return problems


def lint(args: argparse.Namespace) -> int:
    """Print the problems; exit 1 when there is any."""
    try:
        intents = domain_intents(args.domain)
    except TrainingDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    files = sorted(args.data.glob("*.yml")) if args.data.is_dir() else [args.data]
    problems = check(files, intents, args.holdout, args.real_holdout)
    for problem in problems:
        print(problem)
    checked = [str(path) for path in (args.holdout, args.real_holdout) if path.exists()]
    print(
        f"{len(problems)} problem(s) in {len(files)} training file(s)"
        + (f" and {' and '.join(checked)}" if checked else "")
    )
    return 1 if problems else 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``lint-data`` to the CLI's subcommands."""
    parser = commands.add_parser("lint-data", help=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/nlu"))
    parser.add_argument("--domain", type=Path, default=Path("domain.yml"))
    parser.add_argument("--holdout", type=Path, default=Path("tests/nlu/holdout.yml"))
    parser.add_argument(
        "--real-holdout",
        type=Path,
        default=Path("tests/nlu/real/heldout.yml"),
        help="held-out real visitors' questions: neither they nor near-duplicates may be trained on",
    )
    parser.set_defaults(func=lint)
