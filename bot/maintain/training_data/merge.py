"""Merge the labelled entries of a review inbox into the NLU training files."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

from bot.maintain.review.inbox_file import Label
from bot.maintain.training_data.files import TrainingDataError, TrainingFile, read_training_data
from bot.maintain.training_data.text import has_annotation_markup, normalise, one_line, strip_annotations


class MergeError(Exception):
    """The labels cannot be merged; nothing was changed."""


@dataclass(frozen=True)
class Added:
    """An example added to an intent's block of a training file."""

    intent: str
    text: str
    path: Path


@dataclass(frozen=True)
class Skipped:
    """A labelled text that was not added, and why."""

    intent: str
    text: str
    reason: str
    conflict: bool = False


@dataclass
class MergeReport:
    """What a merge added and skipped."""

    added: List[Added] = field(default_factory=list)
    skipped: List[Skipped] = field(default_factory=list)


def _key(text: str) -> str:
    return normalise(text) or text


def _check(labels: Sequence[Label], intents: Sequence[str], files: List[TrainingFile]) -> None:
    holders = {intent for training_file in files for intent in training_file.blocks}
    errors = []
    for label in labels:
        if label.intent and label.intent not in intents:
            errors.append(f"{label.describe()}: unknown intent {label.intent!r}")
        elif label.intent and label.intent not in holders:
            errors.append(
                f"{label.describe()}: no `examples: |` block of intent {label.intent!r} "
                "in the training data; add one by hand first"
            )
    if errors:
        errors.append(f"valid intents: {', '.join(intents)}")
        raise MergeError("\n".join(errors))


def _plan(labels: Sequence[Label], files: List[TrainingFile], report: MergeReport) -> Dict[str, List[str]]:
    known: Dict[str, str] = {}
    for training_file in files:
        for intent, examples in training_file.examples.items():
            for example in examples:
                known.setdefault(_key(strip_annotations(example)), intent)
    additions: Dict[str, List[str]] = defaultdict(list)
    for label in labels:
        if not label.intent:
            continue
        for raw in (label.text, *label.variants):
            text = one_line(raw)
            existing = known.get(_key(text))
            if label.truncated:
                report.skipped.append(Skipped(label.intent, text, "cut in the inbox (too long); add it by hand"))
            elif not text:
                report.skipped.append(Skipped(label.intent, raw, "empty text"))
            elif has_annotation_markup(text):
                report.skipped.append(Skipped(label.intent, text, "looks like entity markup; add it by hand"))
            elif existing == label.intent:
                report.skipped.append(Skipped(label.intent, text, f"already an example of {existing}"))
            elif existing:
                report.skipped.append(
                    Skipped(
                        label.intent,
                        text,
                        f"already an example of {existing}, not added to {label.intent}",
                        conflict=True,
                    )
                )
            else:
                known[_key(text)] = label.intent
                additions[label.intent].append(text)
    return additions


def _edited(training_file: TrainingFile, additions: Dict[str, List[str]]) -> Tuple[str, List[Tuple[str, str]]]:
    lines = list(training_file.lines)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    added: List[Tuple[str, str]] = []
    blocks = sorted(
        (block for block in training_file.blocks.values() if additions.get(block.intent)),
        key=lambda block: block.last_line,
        reverse=True,
    )
    for block in blocks:
        if not lines[block.last_line].endswith("\n"):
            lines[block.last_line] += newline
        new_lines = [f"{block.indent}- {text}{newline}" for text in additions[block.intent]]
        lines[block.last_line + 1 : block.last_line + 1] = new_lines
        added.extend((block.intent, text) for text in additions[block.intent])
    return "".join(lines), added


def _write(path: Path, content: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
        stream.write(content)
    os.chmod(temporary, path.stat().st_mode & 0o777)
    os.replace(temporary, path)


def _owners(files: List[TrainingFile], additions: Dict[str, List[str]]) -> Dict[str, TrainingFile]:
    """The hand-written file each added intent goes to: the first one with a block of that intent.

    A generated file (``adapted_questions.yml``) is never edited: its command would overwrite the merge.
    """
    owners: Dict[str, TrainingFile] = {}
    for training_file in files:
        for intent in training_file.blocks if not training_file.generated else ():
            owners.setdefault(intent, training_file)
    orphans = sorted(intent for intent in additions if intent not in owners)
    if orphans:
        raise MergeError(f"no hand-written training file has a block of {', '.join(orphans)}: add one, then merge")
    return owners


def merge_labels(labels: Sequence[Label], data_dir: Path, intents: Sequence[str]) -> MergeReport:
    """Append each labelled text to its intent's block, skipping texts already in the training data.

    Fails with :class:`MergeError` (and changes nothing) on an unknown intent or unreadable data.
    """
    try:
        files = read_training_data(data_dir)
    except TrainingDataError as error:
        raise MergeError(str(error)) from error
    _check(labels, intents, files)
    report = MergeReport()
    additions = _plan(labels, files, report)
    owners = _owners(files, additions)
    contents = {}
    for training_file in {id(owners[intent]): owners[intent] for intent in additions}.values():
        mine = {intent: texts for intent, texts in additions.items() if owners[intent] is training_file}
        content, added = _edited(training_file, mine)
        try:
            yaml.safe_load(content)
        except yaml.YAMLError as error:
            raise MergeError(f"merging would break {training_file.path}: {error}") from error
        contents[training_file.path] = content
        report.added.extend(Added(intent, text, training_file.path) for intent, text in added)
    for path, content in contents.items():
        _write(path, content)
    return report
