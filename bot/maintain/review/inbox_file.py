"""The review inbox file a maintainer edits: writing it, and reading the labels back."""

from __future__ import annotations

import itertools
import textwrap
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import yaml

from bot.maintain.review.inbox import Group, Inbox
from bot.maintain.training_data.text import shorten
from bot.masking import mask_contacts

MAX_TEXT_CHARS = 500  # longer messages are cut in the file (and not merged)


class LabelsError(Exception):
    """The labels file cannot be read or is not a review inbox."""


def _describe(position: int, text: str) -> str:
    return f"entry {position} ({shorten(text, 60)!r})"


@dataclass(frozen=True)
class Label:
    """One entry of the inbox file as the maintainer left it."""

    position: int
    text: str
    variants: Tuple[str, ...]
    intent: Optional[str]
    truncated: bool

    def describe(self) -> str:
        """How messages name this entry: its position and the start of its text."""
        return _describe(self.position, self.text)


class _Dumper(yaml.SafeDumper):
    """Writes None as an empty value, so that ``intent:`` reads as a blank to fill in."""


_Dumper.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", ""))


def _cut(text: str) -> Tuple[str, bool]:
    return (text, False) if len(text) <= MAX_TEXT_CHARS else (text[:MAX_TEXT_CHARS] + "…", True)


def entry_text(text: str) -> str:
    """How a visitor's message appears in the inbox file: whitespace collapsed, phone numbers and
    email addresses masked (``<phone>``, ``<email>``), cut to MAX_TEXT_CHARS."""
    return _cut(mask_contacts(" ".join(text.split()) or text))[0]


def _entry(group: Group) -> dict:
    masked = mask_contacts(group.text)
    variants = [
        _cut(variant)
        for variant in dict.fromkeys(mask_contacts(variant) for variant in group.variants)
        if variant != masked
    ]
    text, truncated = _cut(masked)
    entry: Dict[str, Any] = {"text": text, "intent": None}
    if variants:
        entry["variants"] = [variant for variant, _ in variants]
    if truncated or any(cut for _, cut in variants):
        entry["truncated"] = True
    entry.update(
        {
            "count": group.count,
            "visitors": group.visitors,
            "predicted": {"intent": group.predicted_intent, "confidence": group.confidence},
            "reasons": list(group.reasons),
            "first_seen": group.first_seen.strftime("%Y-%m-%d %H:%M"),
            "last_seen": group.last_seen.strftime("%Y-%m-%d %H:%M"),
        }
    )
    return entry


def _header(intents: Sequence[str], threshold: float, source: str, merge_command: str) -> str:
    valid = textwrap.wrap(", ".join(intents), width=86)
    lines = [
        "Review inbox: visitor messages that went to fallback, were classified out_of_scope, or whose",
        f"top intent had a confidence below {threshold}. Similar messages are grouped, most frequent first.",
        f"Source: {source}. Times are UTC.",
        "",
        "How to label: set `intent:` of an entry to one of the valid intents below. Its text and every",
        "variant listed under it become training examples of that intent (delete the variants you do",
        "not want). Leave `intent:` empty to skip the entry. Entries marked `truncated: true` (a text",
        "was cut) are not merged: shorten the texts and remove the mark first.",
        f"Then run: {merge_command}",
        "and retrain the model (make train).",
        "",
        "Valid intents:",
        *("  " + line for line in valid),
    ]
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def labelled_count(path: Path) -> int:
    """How many entries of an existing inbox file carry a label (0 when it is not readable)."""
    try:
        return sum(1 for label in read_labels(path) if label.intent)
    except LabelsError:
        return 0


def write_inbox(
    path: Path, inbox: Inbox, intents: Sequence[str], threshold: float, source: str, since: Optional[datetime] = None
) -> None:
    """Write ``inbox`` as an editable YAML file with a header explaining how to label it (mode 0600)."""
    document = {
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "source": source,
        "threshold": threshold,
        **({"since": since.strftime("%Y-%m-%d %H:%M")} if since else {}),
        "messages_read": inbox.messages_read,
        "messages_to_review": inbox.messages_selected,
        "entries": [_entry(group) for group in inbox.groups],
    }
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = _header(intents, threshold, source, f"python -m bot merge-labels {path}")
    path.touch(mode=0o600)  # visitors' messages: readable by this user only
    path.chmod(0o600)
    path.write_text(header + "\n" + body, encoding="utf-8")


def remove_entries(path: Path, listed: Callable[[str], bool]) -> int:
    """Remove from the inbox file at ``path`` every entry whose text or a variant is ``listed``
    (the header is kept); how many were removed."""
    content = path.read_text(encoding="utf-8")
    document = yaml.safe_load(content)
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise LabelsError(f"{path}: expected a review inbox (a mapping with an `entries` list)")

    def texts(entry: object) -> List[str]:
        if not isinstance(entry, dict):
            return []
        return [text for text in [entry.get("text"), *(entry.get("variants") or [])] if isinstance(text, str)]

    kept = [entry for entry in document["entries"] if not any(listed(text) for text in texts(entry))]
    removed = len(document["entries"]) - len(kept)
    if removed:
        document["entries"] = kept
        header = "".join(itertools.takewhile(lambda line: line.startswith("#"), content.splitlines(keepends=True)))
        body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        path.write_text(header + "\n" + body, encoding="utf-8")
    return removed


def _label(position: int, entry: object) -> Label:
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str) or not entry["text"].strip():
        raise LabelsError(f"entry {position}: expected a mapping with a `text`")
    intent, variants = entry.get("intent"), entry.get("variants") or []
    if intent is not None and not isinstance(intent, str):
        raise LabelsError(f"{_describe(position, entry['text'])}: `intent` must be an intent name, not {intent!r}")
    if not isinstance(variants, list) or not all(isinstance(variant, str) for variant in variants):
        raise LabelsError(f"{_describe(position, entry['text'])}: `variants` must be a list of texts")
    return Label(position, entry["text"], tuple(variants), (intent or "").strip() or None, bool(entry.get("truncated")))


def read_labels(path: Path) -> List[Label]:
    """The entries of an inbox file; fails with :class:`LabelsError` naming what is wrong."""
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LabelsError(f"cannot read {path}: {error}") from error
    if not content.strip():
        raise LabelsError(f"{path} is empty: expected a review inbox (python -m bot review-inbox)")
    try:
        document = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise LabelsError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise LabelsError(f"{path}: expected a review inbox (a mapping with an `entries` list)")
    return [_label(position, entry) for position, entry in enumerate(document["entries"], start=1)]
