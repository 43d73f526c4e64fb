"""What of the guide the assistant can reach: sections against the intent table and the training data.

``make kb`` prints this after a build, so a maintainer who adds, renames or removes a section
sees at once whether visitors can get to it, and what to do when they cannot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Sequence

from bot.knowledge.query import SectionRow
from bot.topics import IntentTable, normalise_heading

MIN_EXAMPLES = 10  # training examples an intent needs before the NLU can recognise it


@dataclass
class Coverage:
    """Lines for the maintainer: what each section answers, warnings and errors."""

    sections: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)


def _new_section_steps(heading: str) -> str:
    return (
        f"section '{heading}' is not reachable: no topic points at it. To answer it: "
        f'1. add a topic to data/topics.yml (key, intent, button, silent, sections: ["{heading}"]); '
        f"2. add the intent to domain.yml and {MIN_EXAMPLES}+ examples of it to data/nlu/, and a rule "
        "'intent -> action_answer' to data/rules.yml; 3. make train; 4. make deploy"
    )


def guide_coverage(sections: Sequence[SectionRow], table: IntentTable, examples: Mapping[str, int]) -> Coverage:
    """Check every section of the guide and every topic of ``table``; ``examples``: intent -> count."""
    coverage = Coverage()
    headings = {normalise_heading(row.heading) for row in sections}
    for row in sections:
        topics = sorted(row.topics)
        subjects = [entry.intent for entry in table.not_in_guide if entry.answered_by(row.heading)]
        aspects = [
            f"topic {topic.key} ({aspect.silent})"
            for topic in table.topics
            for aspect in topic.aspects
            if any(aspect.is_answered_by(sentence) for sentence in row.sentences)
        ]
        reached_by = (
            [f"topic {key}" for key in topics] + aspects + [f"{intent} (guide now covers it)" for intent in subjects]
        )
        if row.is_introduction and not reached_by:
            coverage.sections.append(f"{row.document}: '{row.heading}' -> introduction (not answered)")
            continue
        coverage.sections.append(f"{row.document}: '{row.heading}' -> {', '.join(reached_by) or 'NOT REACHABLE'}")
        if not reached_by:
            coverage.warnings.append(_new_section_steps(row.heading))
    answered: Dict[str, bool] = {key: False for key in (topic.key for topic in table.topics)}
    for row in sections:
        for key in row.topics:
            answered[key] = True
    for topic in table.topics:
        missing = [heading for heading in topic.sections if normalise_heading(heading) not in headings]
        if missing:
            coverage.errors.append(
                f"topic {topic.key}: the guide has no section '{missing[0]}' any more "
                "(renamed or removed?): update `sections` in data/topics.yml"
            )
        elif not answered[topic.key]:
            coverage.errors.append(f"topic {topic.key}: no sentence of the guide answers it any more")
    for intent in [topic.intent for topic in table.topics] + [entry.intent for entry in table.not_in_guide]:
        if examples.get(intent, 0) < MIN_EXAMPLES:
            coverage.warnings.append(
                f"intent {intent} has {examples.get(intent, 0)} training examples in data/nlu/ "
                f"(fewer than {MIN_EXAMPLES}): visitors' questions may not reach it"
            )
    return coverage
