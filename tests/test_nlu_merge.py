"""Merging labelled inbox entries into a copy of the NLU training data, through the command line."""
from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from bot.settings import PROJECT_ROOT

# Runs the real command line in subprocesses: `make test` runs it, `make test-unit` does not.
pytestmark = pytest.mark.slow

# Wordings no training file has (the test copies data/nlu/ as it is).
NEW_OUT_OF_SCOPE = ["will it rain in leeds on sunday", "is it gonna rain in leeds sunday"]
NEW_PRICE = "can i pay with klarna 🙂 <b>monthly</b>?"
LABELS = {
    "generated": "2026-11-25 10:00",
    "entries": [
        {"text": NEW_OUT_OF_SCOPE[0], "intent": "out_of_scope",
         "variants": ["Will it rain in Leeds on Sunday??", NEW_OUT_OF_SCOPE[1]], "count": 4, "visitors": 3},
        {"text": NEW_PRICE, "intent": "ask_price", "count": 1},
        {"text": "HOW MUCH IS IT?!", "intent": "ask_price"},  # "how much is it" is already an example
        {"text": "can it help with hair thinning", "intent": "ask_conditions_treated"},  # annotated example
        {"text": "what is mesotherapy exactly?", "intent": "ask_price"},  # an example of another intent
        {"text": "asdkjh qwpoe", "intent": None},  # left blank: skipped
        {"text": "[click](here)", "intent": "greet"},  # would be read as entity markup
    ],
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", target)
    return target


def _write_labels(path: Path, labels: dict) -> Path:
    path.write_text(yaml.safe_dump(labels, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _merge(labels: Path, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "merge-labels", str(labels), "--data", str(data_dir)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )


def _snapshot(data_dir: Path) -> Dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(data_dir.glob("*.yml"))}


def _intent_counts(data_dir: Path) -> Counter:
    from rasa.shared.nlu.training_data.loading import load_data

    return Counter(example.get("intent") for example in load_data(str(data_dir)).intent_examples)


def _inserted_lines(before: bytes, after: bytes) -> List[str]:
    """The lines ``after`` adds to ``before``; fails if anything else changed."""
    old, new = before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True)
    inserted = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), f"changed lines: {old[i1:i2]} -> {new[j1:j2]}"
        if tag == "insert":
            inserted.extend(new[j1:j2])
    return inserted


def _examples_block(content: str, intent: str) -> List[str]:
    for item in yaml.safe_load(content)["nlu"]:
        if item.get("intent") == intent:
            return item["examples"].splitlines()
    raise AssertionError(f"no block for {intent}")


def test_labelled_entries_are_appended_to_their_intent_blocks_once(data_dir: Path, tmp_path: Path) -> None:
    before, counts_before = _snapshot(data_dir), _intent_counts(data_dir)
    labels = _write_labels(tmp_path / "inbox.yml", LABELS)

    result = _merge(labels, data_dir)

    assert result.returncode == 0, result.stderr
    assert "3 examples added, 5 skipped, from 6 labelled of 7 entries" in result.stdout
    assert "already an example of ask_price" in result.stdout  # HOW MUCH IS IT?!
    assert "already an example of ask_conditions_treated" in result.stdout
    assert "warning: skipped  ask_price: what is mesotherapy exactly?  (already an example of ask_what_is_mesotherapy" \
        in result.stderr
    assert "entity markup" in result.stdout
    after = _snapshot(data_dir)
    assert after["topics.yml"] == before["topics.yml"] and after["handoff.yml"] == before["handoff.yml"]
    assert after["adapted_questions.yml"] == before["adapted_questions.yml"]  # generated: never merged into
    assert _inserted_lines(before["chitchat.yml"], after["chitchat.yml"]) == \
        [f"    - {text}\n" for text in NEW_OUT_OF_SCOPE]
    assert _inserted_lines(before["questions_not_in_guide.yml"], after["questions_not_in_guide.yml"]) == \
        [f"    - {NEW_PRICE}\n"]
    assert _examples_block(after["chitchat.yml"].decode(), "out_of_scope")[-2:] == \
        [f"- {text}" for text in NEW_OUT_OF_SCOPE]  # at the end of its block
    assert _examples_block(after["questions_not_in_guide.yml"].decode(), "ask_price")[-1] == f"- {NEW_PRICE}"
    counts_after = _intent_counts(data_dir)  # Rasa's own reader still loads it
    assert counts_after - counts_before == Counter({"out_of_scope": 2, "ask_price": 1})
    assert counts_before - counts_after == Counter()

    again = _merge(labels, data_dir)
    assert again.returncode == 0 and "0 examples added" in again.stdout
    assert _snapshot(data_dir) == after


def test_an_unknown_intent_is_refused_and_nothing_changes(data_dir: Path, tmp_path: Path) -> None:
    before = _snapshot(data_dir)
    entries = LABELS["entries"] + [{"text": "do you do botox", "intent": "ask_botox"}]
    result = _merge(_write_labels(tmp_path / "inbox.yml", {"entries": entries}), data_dir)
    assert result.returncode == 1
    assert "entry 8 ('do you do botox'): unknown intent 'ask_botox'" in result.stderr
    assert "valid intents: ask_what_is_mesotherapy" in result.stderr and "nothing was changed" in result.stderr
    assert _snapshot(data_dir) == before


@pytest.mark.parametrize("content, message", [
    ("", "is empty"),
    ("entries:\n  - text: [unclosed\n", "is not valid YAML"),
    ("- just\n- a list\n", "expected a review inbox"),
    ("entries:\n  - text: hello\n    intent: [greet, goodbye]\n", "entry 1 ('hello'): `intent` must be an intent name"),
    ("entries:\n  - intent: greet\n", "entry 1: expected a mapping with a `text`"),
])
def test_a_bad_labels_file_is_a_clear_error(data_dir: Path, tmp_path: Path, content: str, message: str) -> None:
    before = _snapshot(data_dir)
    labels = tmp_path / "inbox.yml"
    labels.write_text(content, encoding="utf-8")
    result = _merge(labels, data_dir)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert _snapshot(data_dir) == before


def test_a_broken_training_file_is_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    (data_dir / "handoff.yml").write_text("nlu:\n- intent: greet\n  examples: [\n", encoding="utf-8")
    before = _snapshot(data_dir)
    result = _merge(_write_labels(tmp_path / "inbox.yml", LABELS), data_dir)
    assert result.returncode == 1 and "handoff.yml is not valid YAML" in result.stderr
    assert _snapshot(data_dir) == before


def test_the_inbox_written_by_review_inbox_merges_once_labelled(data_dir: Path, tmp_path: Path) -> None:
    from bot.maintain.review.conversations import UserMessage
    from bot.maintain.review.inbox import build_inbox
    from bot.maintain.review.inbox_file import write_inbox
    from bot.maintain.training_data.files import domain_intents

    messages = [UserMessage(f"visitor-{n}", text, 1_764_000_000.0 + n, "nlu_fallback", 0.45,
                            (("nlu_fallback", 0.45), ("ask_price", 0.3)))
                for n, text in enumerate(["do you take klarna", "Do you take Klarna?", "do u take klarna",
                                          "x" * 2000])]
    inbox_path = tmp_path / "inbox.yml"
    write_inbox(inbox_path, build_inbox(messages), domain_intents(PROJECT_ROOT / "domain.yml"), 0.6, "test")
    content = inbox_path.read_text(encoding="utf-8")
    inbox_path.write_text(content.replace("intent:\n", "intent: ask_price\n"), encoding="utf-8")
    before = _snapshot(data_dir)

    result = _merge(inbox_path, data_dir)

    assert result.returncode == 0, result.stderr
    assert "2 examples added" in result.stdout and "cut in the inbox" in result.stdout
    assert _inserted_lines(before["questions_not_in_guide.yml"], _snapshot(data_dir)["questions_not_in_guide.yml"]) \
        == ["    - do you take klarna\n", "    - do u take klarna\n"]


def test_a_label_whose_intent_only_a_generated_file_has_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    from bot.maintain.review.inbox_file import Label
    from bot.maintain.training_data.files import GENERATED_NOTICE
    from bot.maintain.training_data.merge import MergeError, merge_labels

    generated = tmp_path / "made.yml"
    generated.write_text(f'version: "3.1"\n# {GENERATED_NOTICE}\nnlu:\n- intent: ask_price\n  examples: |\n'
                         "    - how much is it\n", encoding="utf-8")
    before = generated.read_bytes()

    with pytest.raises(MergeError, match="no hand-written training file has a block of ask_price"):
        merge_labels([Label(1, "do you take klarna", (), "ask_price", False)], tmp_path, ["ask_price"])
    assert generated.read_bytes() == before
