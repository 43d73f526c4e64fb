"""Rasa's NLU training files as text: where each intent's examples block ends, and its examples.

The files are read line by line (and checked with a YAML parser) so that they can be edited
without re-dumping them: comments, order and layout stay as the maintainers wrote them. The one
reader of NLU files: the merge of labels (``merge.py``) and the lint (``lint.py``) both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

# The header line of a training file written by a command (e.g. `python -m bot build-adapted`).
GENERATED_NOTICE = "Do not edit here: edit the sources and run the command again."
_INTENT_LINE = re.compile(r"^(\s*)-\s+intent:\s*[\"']?([^\"'#\s]+)[\"']?\s*(#.*)?$")
_EXAMPLES_LINE = re.compile(r"^(\s*)examples:\s*\|[-+0-9]*\s*(#.*)?$")
_ITEM_LINE = re.compile(r"^(\s*)-\s+\w+:")


class TrainingDataError(Exception):
    """The training data or the domain cannot be read."""


@dataclass
class IntentBlock:
    """The literal ``examples: |`` block of one intent: new examples go after ``last_line``."""

    intent: str
    last_line: int
    indent: str


@dataclass(frozen=True)
class WrittenExample:
    """One example as written in an intent's ``examples: |`` block, with its line (1-based)."""

    intent: str
    text: str
    line: int


@dataclass
class TrainingFile:
    """One NLU file: its lines (with their line ends), its intent blocks and their examples."""

    path: Path
    lines: List[str]
    blocks: Dict[str, IntentBlock] = field(default_factory=dict)  # the first block of each intent
    examples: Dict[str, List[str]] = field(default_factory=dict)
    headings: List[Tuple[str, int]] = field(default_factory=list)  # every ``- intent:`` line: (intent, line)
    written: List[WrittenExample] = field(default_factory=list)  # every example of every block, in order

    @property
    def generated(self) -> bool:
        """Whether a command writes this file (its header says so): edits belong in its sources."""
        return any(GENERATED_NOTICE in line for line in self.lines[:10])


def _load_yaml(path: Path, content: str) -> object:
    try:
        return yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise TrainingDataError(f"{path} is not valid YAML: {error}") from error


def _examples(document: object) -> Dict[str, List[str]]:
    examples: Dict[str, List[str]] = {}
    items = document.get("nlu") if isinstance(document, dict) else None
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("intent") and isinstance(item.get("examples"), str):
            lines = (line.strip() for line in item["examples"].splitlines())
            examples.setdefault(str(item["intent"]), []).extend(
                line[1:].strip() for line in lines if line.startswith("-")
            )
    return examples


def _scan(training_file: TrainingFile) -> None:
    """Fill the blocks, headings and written examples of ``training_file`` from its lines."""
    lines = training_file.lines
    intent = None
    index = 0
    while index < len(lines):
        line = lines[index].rstrip("\r\n")
        match = _INTENT_LINE.match(line)
        if match:
            intent = match.group(2)
            training_file.headings.append((intent, index + 1))
        elif _ITEM_LINE.match(line):  # a synonym, regex or lookup item
            intent = None
        examples = _EXAMPLES_LINE.match(line)
        if examples and intent:
            key_indent = len(examples.group(1))
            last, indent = index, " " * (key_indent + 2)
            for follower in range(index + 1, len(lines)):
                text = lines[follower].rstrip("\r\n")
                if not text.strip():
                    continue
                if len(text) - len(text.lstrip(" ")) <= key_indent:
                    break
                if last == index:
                    indent = text[: len(text) - len(text.lstrip(" "))]
                last = follower
                if text.strip().startswith("-") and text.strip()[1:].strip():
                    training_file.written.append(WrittenExample(intent, text.strip()[1:].strip(), follower + 1))
            training_file.blocks.setdefault(intent, IntentBlock(intent, last, indent))
            index = last
        index += 1


def read_training_file(path: Path) -> TrainingFile:
    """Read one NLU file; fails with :class:`TrainingDataError` when it is not valid YAML."""
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TrainingDataError(f"cannot read {path}: {error}") from error
    document = _load_yaml(path, content)
    training_file = TrainingFile(path, content.splitlines(keepends=True), examples=_examples(document))
    _scan(training_file)
    return training_file


def read_training_data(data_dir: Path) -> List[TrainingFile]:
    """Every ``.yml``/``.yaml`` file under ``data_dir`` that holds intent examples, by name."""
    if not data_dir.is_dir():
        raise TrainingDataError(f"{data_dir} is not a folder of training data")
    paths = sorted(path for pattern in ("*.yml", "*.yaml") for path in data_dir.rglob(pattern))
    files = [read_training_file(path) for path in paths]
    files = [training_file for training_file in files if training_file.examples]
    if not files:
        raise TrainingDataError(f"no NLU training file (with `nlu:` intent examples) in {data_dir}")
    return files


def domain_intents(domain: Path) -> List[str]:
    """The intents declared in the domain file, in its order."""
    try:
        document = _load_yaml(domain, domain.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise TrainingDataError(f"cannot read {domain}: {error}") from error
    intents = document.get("intents") if isinstance(document, dict) else None
    if not isinstance(intents, list):
        raise TrainingDataError(f"{domain}: no `intents` list")
    return [next(iter(item)) if isinstance(item, dict) else str(item) for item in intents]
