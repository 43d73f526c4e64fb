"""Real questions about related treatments, adapted to mesotherapy, as NLU training examples.

The public pages about mesotherapy itself are too few to teach the classifier every way visitors
word a question. Visitors ask about microneedling, PRP, Kybella or skin boosters in the same
words ("how long is the recovery after ...?", "who is a good candidate for ...?"), so those real
questions, with the treatment's name swapped for mesotherapy, are kept in
``tests/nlu/real/adapted/*.yml``: each with its ``source`` page, its ``original`` wording, its
rubric ``topic`` (the labels of ``tests/nlu/real/``), ``safety`` flag and, for ``not_in_guide``,
its ``subject``.

``python -m bot build-adapted`` writes ``data/nlu/adapted_questions.yml`` from them. It never
trains on the held-out half: a question from a held-out page is an error, and one that is a
held-out question (real or ours) or a near-duplicate of one is left out, as are questions the
other training files already have, ones naming another treatment outside a comparison (the
subject rules decide those) and subjects the rubric gives no one intent.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

import yaml

from bot.maintain.training_data.files import GENERATED_NOTICE, TrainingDataError, read_training_file
from bot.maintain.training_data.lint import Example, read_examples, read_real_questions, real_question_leaks
from bot.maintain.training_data.text import has_annotation_markup, normalise, one_line
from bot.nlp.other_subjects import COMPARISON, DEFAULT_PATH, OtherSubjects
from bot.settings import PROJECT_ROOT, Settings

SOURCES = PROJECT_ROOT / "tests" / "nlu" / "real" / "adapted"
OUTPUT_NAME = "adapted_questions.yml"

# The rubric's topics (tests/nlu/real/labels.yml) as the one intent to train each on.
TOPIC_INTENTS: Dict[str, str] = {
    "definition": "ask_what_is_mesotherapy",
    "cocktails": "ask_cocktail_ingredients",
    "conditions": "ask_conditions_treated",
    "procedure": "ask_procedure",
    "aftercare": "ask_aftercare",
    "duration": "ask_results_duration",
    "off_topic": "out_of_scope",
}
SUBJECT_INTENTS: Dict[str, str] = {
    "price": "ask_price",
    "sessions": "ask_session_count",
    "comparison": "ask_comparison",
    "alternatives": "ask_comparison",
    "needle_free": "ask_comparison",
    "pregnancy": "ask_contraindications",
    "home_kit": "ask_home_kit",
    "find_clinic": "ask_find_clinic",
    "clinic_details": "ask_clinic_details",
}
# A safety question is one of three intents: who may perform it, who may have it, or the rest.
_PRACTITIONER = re.compile(
    r"\b(who (?:can|should|may|will|is allowed to) (?:do|perform|give|administer|inject|carry out)|"
    r"qualifi\w*|licen[sc]ed|certified|training|trained|injector|practitioner|performs?)\b",
    re.IGNORECASE,
)
_ABOUT_THE_PATIENT = re.compile(r"\b(patients?|candidates?|eligib\w*|suitab\w*)\b", re.IGNORECASE)
_CANDIDACY = re.compile(
    r"\b(candidates?|eligib\w*|suitable|suitability|right for|good for me|"
    r"who (?:should|shouldn'?t|should not|can|can'?t|cannot|must not|is not|isn'?t)|should (?:i|you|we) (?:get|have|try|do)|"
    r"can (?:i|you|anyone|everyone) (?:get|have)|contraindicat\w*|pregnan\w*|breast[\s-]?feed\w*|"
    r"medications?|blood thinners?|diabet\w*|allerg\w*|conditions?|age|too old|too young)\b",
    re.IGNORECASE,
)


class AdaptedError(Exception):
    """The adapted questions cannot be read, or one comes from a held-out page."""


@dataclass(frozen=True)
class AdaptedQuestion:
    """One gathered question as adapted, where it was found and its rubric label."""

    text: str
    source: str
    topic: str
    subject: Optional[str]
    path: Path
    line: int


@dataclass
class BuildReport:
    """The examples kept per intent, and each question left out with the reason."""

    kept: Dict[str, List[str]] = field(default_factory=dict)
    left_out: List[str] = field(default_factory=list)

    @property
    def kept_count(self) -> int:
        """How many examples the built file has."""
        return sum(len(texts) for texts in self.kept.values())


def safety_intent(text: str) -> str:
    """The safety intent a safety-labelled question is trained on."""
    if _PRACTITIONER.search(text) and not _ABOUT_THE_PATIENT.search(text):
        return "ask_practitioner"
    if _CANDIDACY.search(text) or _ABOUT_THE_PATIENT.search(text):
        return "ask_contraindications"
    return "ask_safety"


def intent_for(question: AdaptedQuestion) -> Optional[str]:
    """The intent to train ``question`` on, or None when the rubric gives its label no one intent."""
    if question.topic == "safety":
        return safety_intent(question.text)
    if question.topic == "not_in_guide":
        return SUBJECT_INTENTS.get(question.subject or "")
    return TOPIC_INTENTS.get(question.topic)


def read_adapted(path: Path) -> List[AdaptedQuestion]:
    """The questions of one adapted-questions file, with their lines."""
    try:
        document = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise AdaptedError(f"cannot read {path}: {error}") from error
    if not isinstance(document, yaml.SequenceNode):
        raise AdaptedError(f"{path}: expected a list of questions")
    questions = []
    for entry in document.value:
        line = entry.start_mark.line + 1
        values = (
            {key.value: str(value.value) for key, value in entry.value} if isinstance(entry, yaml.MappingNode) else {}
        )
        missing = [key for key in ("text", "source", "topic") if not values.get(key, "").strip()]
        if missing:
            raise AdaptedError(f"{path}:{line}: a question needs {', '.join(missing)}")
        questions.append(
            AdaptedQuestion(
                one_line(values["text"]), values["source"].strip(), values["topic"], values.get("subject"), path, line
            )
        )
    return questions


def _held_out_pages(real_heldout: Path) -> Dict[str, str]:
    pages: Dict[str, str] = {}
    for entry in yaml.safe_load(real_heldout.read_text(encoding="utf-8")) or []:
        pages.setdefault(str(entry.get("source", "")).strip().rstrip("/"), f"{real_heldout}")
    pages.pop("", None)
    return pages


def _training_examples(data_dir: Path, output: Path) -> Dict[str, Example]:
    examples: Dict[str, Example] = {}
    for path in sorted(data_dir.glob("*.yml")):
        if path.resolve() == output.resolve():
            continue
        try:
            for example in read_examples(read_training_file(path)):
                examples.setdefault(normalise(example.text), example)
        except TrainingDataError as error:
            raise AdaptedError(str(error)) from error
    return examples


def _holdout_examples(holdout: Path) -> List[Example]:
    try:
        return list(read_examples(read_training_file(holdout)))
    except TrainingDataError as error:
        raise AdaptedError(str(error)) from error


def select(
    questions: Sequence[AdaptedQuestion],
    *,
    data_dir: Path,
    output: Path,
    holdout: Path,
    real_heldout: Path,
    other_subjects: OtherSubjects,
) -> BuildReport:
    """The questions to train on, by intent, and the ones left out with why."""
    held_out_pages = _held_out_pages(real_heldout)
    leaked_pages = [f"{q.path}:{q.line}: {q.source}" for q in questions if q.source.rstrip("/") in held_out_pages]
    if leaked_pages:
        raise AdaptedError("questions from held-out pages (never train on them):\n  " + "\n  ".join(leaked_pages))
    trained = _training_examples(data_dir, output)
    held_out = read_real_questions(real_heldout) + _holdout_examples(holdout)
    report = BuildReport()
    seen: Dict[str, AdaptedQuestion] = {}
    for question in questions:
        where = f"{question.path.name}:{question.line}"
        intent = intent_for(question)
        key = normalise(question.text)
        reason = None
        if intent is None:
            reason = f"label {question.topic}/{question.subject} has no one intent"
        elif not key or has_annotation_markup(question.text):
            reason = "no words, or words Rasa would read as an entity annotation"
        elif key in trained:
            reason = f"already a training example ({trained[key].where()})"
        elif key in seen:
            reason = f"written before at {seen[key].path.name}:{seen[key].line}"
        elif intent != "out_of_scope" and other_subjects.intent_for(question.text) not in (None, COMPARISON):
            reason = "names another treatment (the subject rules decide it)"
        elif real_question_leaks([Example(question.text, intent, question.path, question.line)], held_out):
            reason = "a held-out question or a near-duplicate of one"
        if reason:
            report.left_out.append(f"{where}: '{question.text}': {reason}")
            continue
        seen[key] = question
        report.kept.setdefault(intent or "", []).append(question.text)
    return report


def nlu_document(report: BuildReport, sources: Iterable[Path]) -> str:
    """The NLU training file of the kept questions, intents in a fixed order."""
    names = ", ".join(path.name for path in sources)
    lines = [
        'version: "3.1"',
        "",
        "# Made by `python -m bot build-adapted` from tests/nlu/real/adapted/ (" + names + "): real questions",
        "# about related treatments found on public pages, the treatment's name swapped for mesotherapy.",
        f"# {GENERATED_NOTICE}",
        "",
        "nlu:",
    ]
    for intent in sorted(report.kept):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in report.kept[intent]]
    return "\n".join(lines) + "\n"


def build(
    sources_dir: Path,
    data_dir: Path,
    *,
    holdout: Path,
    real_heldout: Path,
    other_subjects: OtherSubjects,
) -> BuildReport:
    """Write ``data_dir/adapted_questions.yml`` from the files of ``sources_dir``; the report says what was kept."""
    sources = sorted(sources_dir.glob("*.yml"))
    questions = [question for path in sources for question in read_adapted(path)]
    output = data_dir / OUTPUT_NAME
    report = select(
        questions,
        data_dir=data_dir,
        output=output,
        holdout=holdout,
        real_heldout=real_heldout,
        other_subjects=other_subjects,
    )
    output.write_text(nlu_document(report, sources), encoding="utf-8")
    return report


def build_command(args: argparse.Namespace) -> int:
    """``python -m bot build-adapted``: write the training file and say what was left out."""
    try:
        report = build(
            args.sources,
            args.data,
            holdout=args.holdout,
            real_heldout=args.real_holdout,
            other_subjects=OtherSubjects.load(DEFAULT_PATH, args.vocabulary),
        )
    except AdaptedError as error:
        print(f"error: {error}", file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return 1
    for line in [] if args.quiet else report.left_out:
        print(f"left out {line}")
    counts = ", ".join(f"{intent} {len(texts)}" for intent, texts in sorted(report.kept.items()))
    print(f"{args.data / OUTPUT_NAME}: {report.kept_count} examples ({counts}); {len(report.left_out)} left out")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]", settings: Settings) -> None:
    """Add ``build-adapted`` to the CLI."""
    parser = commands.add_parser(
        "build-adapted", help="write data/nlu/adapted_questions.yml from tests/nlu/real/adapted"
    )
    parser.add_argument("--sources", type=Path, default=SOURCES, help="default %(default)s")
    parser.add_argument("--data", type=Path, default=settings.nlu_dir, help="default %(default)s")
    parser.add_argument("--holdout", type=Path, default=PROJECT_ROOT / "tests" / "nlu" / "holdout.yml")
    parser.add_argument("--real-holdout", type=Path, default=PROJECT_ROOT / "tests" / "nlu" / "real" / "heldout.yml")
    parser.add_argument("--quiet", action="store_true", help="print only how many were kept and left out")
    parser.add_argument("--vocabulary", type=Path, default=settings.vocabulary_path, help=argparse.SUPPRESS)
    parser.set_defaults(func=build_command)
