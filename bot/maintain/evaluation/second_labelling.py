"""How far a second, blind labelling of the real held-out questions agrees with the first one.

The real questions' topics were labelled by the people who gathered them, from the page each came
from. ``tests/nlu/real/heldout_second_labels.yml`` labels the same questions again, by the same
rubric, without seeing the first labels or the assistant's replies. Where two careful labellers give
different topics, the question is ambiguous and no reading of it is right for both: topic accuracy is
also reported on the questions whose topic both labellings give. Reported next to the figures of
``evaluate-real``; no floor rests on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Mapping, Optional, Sequence

import yaml

from bot.maintain.evaluation.real_questions import OFF_TOPIC, Judgement, RealQuestionsError


@dataclass(frozen=True)
class Agreement:
    """The two labellings compared on the questions both label, and topic accuracy where they agree."""

    compared: int  # questions with a label in both
    agreed: int  # same topic (not_in_guide counts as one topic, whatever its subject)
    topic_questions: int  # questions the first labelling gives a topic (not off topic)
    topic_agreed: int  # ... and the second gives the same one
    topic_right_where_agreed: int  # ... and the assistant understood right

    def lines(self) -> List[str]:
        """The figures in words, for the terminal and the report."""
        if not self.compared:
            return []
        return [
            f"second labelling (blind): same topic for {self.agreed}/{self.compared} questions "
            f"({self.agreed / self.compared:.3f}) and {self.topic_agreed}/{self.topic_questions} topic questions "
            f"({_rate(self.topic_agreed, self.topic_questions)}); on the other "
            f"{self.topic_questions - self.topic_agreed} no reading is right for both",
            f"topic accuracy on the topic questions both labellings agree on: "
            f"{_rate(self.topic_right_where_agreed, self.topic_agreed)} "
            f"({self.topic_right_where_agreed}/{self.topic_agreed})",
        ]

    def as_dict(self) -> Mapping[str, int]:
        """The counts, for ``summary.json``."""
        return {
            "compared": self.compared,
            "agreed": self.agreed,
            "topic_questions": self.topic_questions,
            "topic_agreed": self.topic_agreed,
            "topic_right_where_agreed": self.topic_right_where_agreed,
        }


def _rate(right: int, total: int) -> str:
    return f"{right / total:.3f}" if total else "-"


def read_second_topics(path: Path) -> Mapping[str, str]:
    """Question text -> topic of the second labelling (a YAML list of {text, topic, ...}); empty when absent."""
    if not Path(path).exists():
        return {}
    try:
        data: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise RealQuestionsError(f"cannot read {path}: {error}") from error
    if not isinstance(data, list) or not all(isinstance(entry, dict) and entry.get("text") for entry in data):
        raise RealQuestionsError(f"{path}: expected a list of {{text, topic}} entries")
    return {str(entry["text"]): str(entry.get("topic") or "") for entry in data}


def agreement(judgements: Sequence[Judgement], second_topics: Mapping[str, str]) -> Agreement:
    """Compare the first labels of ``judgements`` with ``second_topics``; accuracy where both give one topic."""
    compared = agreed = topic_questions = topic_agreed = right = 0
    for item in judgements:
        second: Optional[str] = second_topics.get(item.question.text)
        if second is None:
            continue
        same = second == item.question.topic
        compared += 1
        agreed += same
        if item.question.topic == OFF_TOPIC:
            continue
        topic_questions += 1
        if same:
            topic_agreed += 1
            right += bool(item.topic_right)
    return Agreement(compared, agreed, topic_questions, topic_agreed, right)
