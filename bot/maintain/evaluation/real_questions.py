"""The real-question evaluation: ``python -m bot evaluate-real`` against a RUNNING Rasa server.

Each real visitor's question (``tests/nlu/real/heldout.yml``: text, source, topic label, safety
flag, subject for ``not_in_guide``) is sent twice over HTTP: to ``/model/parse`` for the intent,
and to the REST channel for the reply a visitor gets. Four measures:

* topic accuracy: the intent is one that ``tests/nlu/real/labels.yml`` allows for the label
  (questions with a guide label or ``not_in_guide``);
* content: for a guide label, the reply holds at least one knowledge-base sentence tagged with
  the label's topic key (``labels.yml``, ``topics``);
* safety line: for a question flagged ``safety: true``, the reply holds the licensed-professional
  recommendation (``bot.answering.safety.professional_recommendation``);
* off-topic handling: for an ``off_topic`` question, the reply holds no knowledge-base sentence;
* did you mean (no floor): for a guide or not-in-guide question the NLU was unsure about
  (``nlu_fallback``), one of the reply's buttons asks a topic the label allows: the visitor is one
  click from the right answer, a miss of topic accuracy all the same.

It writes ``report.md`` and ``summary.json`` to ``--out`` and exits 1 when a floor is missed.
The measure functions are pure (text in, verdict out); only :func:`evaluate_real` talks HTTP.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.parse
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

from bot.http_json import HttpJsonError, request_json
from bot.maintain.training_data.text import normalise
from bot.settings import PROJECT_ROOT, Settings, load_settings, process_environment

DEFAULT_QUESTIONS = Path("tests/nlu/real/heldout.yml")
DEFAULT_SECOND_LABELS = Path("tests/nlu/real/heldout_second_labels.yml")  # bot/maintain/evaluation/second_labelling.py
DEFAULT_LABELS = PROJECT_ROOT / "tests" / "nlu" / "real" / "labels.yml"
DEFAULT_OUT = Path("reports/real-questions")
# The stable part of bot.answering.safety.professional_recommendation (the rest names the clinic).
SAFETY_LINE = "please consult a licensed professional"
NOT_IN_GUIDE_INTENTS = "@not_in_guide"  # labels.yml: every not_in_guide intent of data/topics.yml
OFF_TOPIC = "off_topic"
FALLBACK = "nlu_fallback"  # the NLU was unsure: the visitor gets "did you mean" buttons
NOT_IN_GUIDE = "not_in_guide"
# A guide sentence counts as quoted only from this many words: the bullets "Hair loss", "Acne
# scars" are words any reply may use, not a sign that guide content was given.
MIN_SENTENCE_WORDS = 3
REPLY_PREVIEW = 120


class RealQuestionsError(Exception):
    """The questions or the labels file cannot be read or do not fit together."""


@dataclass(frozen=True)
class RealQuestion:
    """One real visitor's question and its labels."""

    text: str
    topic: str
    safety: bool
    source: str = ""
    subject: Optional[str] = None
    also: Tuple[str, ...] = ()
    round: int = 1  # the gathering round: a later round's pages were never seen when the rules were written

    @property
    def label(self) -> str:
        """The row of the report: the topic, with the subject for ``not_in_guide``."""
        return f"{NOT_IN_GUIDE}/{self.subject}" if self.topic == NOT_IN_GUIDE else self.topic


@dataclass(frozen=True)
class Labels:
    """``labels.yml`` with ``@not_in_guide`` expanded: what counts as right for each label."""

    intents: Mapping[str, FrozenSet[str]]
    not_in_guide: Mapping[str, FrozenSet[str]]
    topics: Mapping[str, Tuple[str, ...]]

    def allowed_intents(self, question: RealQuestion) -> FrozenSet[str]:
        """The intents that understand ``question`` right."""
        if question.topic == NOT_IN_GUIDE:
            subject = question.subject or ""
            if subject not in self.not_in_guide:
                raise RealQuestionsError(
                    f"no not_in_guide subject {question.subject!r} in labels.yml (question {question.text!r})"
                )
            return self.not_in_guide[subject]
        if question.topic not in self.intents:
            raise RealQuestionsError(f"no label {question.topic!r} in labels.yml (question {question.text!r})")
        return self.intents[question.topic]

    @property
    def row_order(self) -> List[str]:
        """The report's rows: guide labels, then not-in-guide subjects, then off topic (as in labels.yml)."""
        return (
            [label for label in self.intents if label != OFF_TOPIC]
            + [f"{NOT_IN_GUIDE}/{subject}" for subject in self.not_in_guide]
            + [OFF_TOPIC]
        )

    def topic_keys(self, question: RealQuestion) -> Tuple[str, ...]:
        """The topic keys whose guide sentences answer ``question`` (none: not a guide label)."""
        return self.topics.get(question.topic, ())


@dataclass(frozen=True)
class Knowledge:
    """The knowledge base's sentences: by topic key, and all of them."""

    by_topic: Mapping[str, Tuple[str, ...]]
    all_sentences: Tuple[str, ...]


@dataclass(frozen=True)
class Judgement:
    """One question's outcome; a measure that does not apply to it is None."""

    question: RealQuestion
    intent: str
    confidence: float
    reply: str
    topic_right: Optional[bool]
    content_right: Optional[bool]
    safety_line: Optional[bool]
    off_topic_handled: Optional[bool]
    offered_right: Optional[bool] = None

    @property
    def failures(self) -> List[str]:
        """The names of the measures this question failed."""
        checks = (
            ("topic", self.topic_right),
            ("content", self.content_right),
            ("safety line", self.safety_line),
            ("guide content off topic", self.off_topic_handled),
        )
        return [name for name, verdict in checks if verdict is False]


# ---------------------------------------------------------------------------------------------
# Reading the questions and the labels
# ---------------------------------------------------------------------------------------------


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise RealQuestionsError(f"cannot read {path}: {error}") from error


def read_questions(path: Path) -> List[RealQuestion]:
    """The questions of a real-question file (a YAML list of {text, source, topic, safety, ...})."""
    data = _yaml(path)
    if not isinstance(data, list):
        raise RealQuestionsError(f"{path}: expected a list of questions")
    questions = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or not str(entry.get("text") or "").strip() or not entry.get("topic"):
            raise RealQuestionsError(f"{path}: entry {number} needs `text` and `topic`")
        questions.append(
            RealQuestion(
                text=str(entry["text"]),
                topic=str(entry["topic"]),
                safety=bool(entry.get("safety")),
                source=str(entry.get("source") or ""),
                subject=entry.get("subject"),
                also=tuple(entry.get("also") or ()),
                round=int(entry.get("round") or 1),
            )
        )
    return questions


def _names(value: Any, where: str) -> Tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item for item in value):
        raise RealQuestionsError(f"{where}: expected a non-empty list of names")
    return tuple(value)


def parse_labels(data: Any, not_in_guide_intents: Iterable[str], source: str = "labels.yml") -> Labels:
    """Check ``labels.yml``'s content; ``@not_in_guide`` becomes ``not_in_guide_intents``."""
    if not isinstance(data, dict) or not all(
        isinstance(data.get(name), dict) for name in ("intents", "not_in_guide", "topics")
    ):
        raise RealQuestionsError(f"{source}: expected the mappings `intents`, `not_in_guide` and `topics`")
    uncovered = frozenset(not_in_guide_intents)

    def expand(names: Tuple[str, ...]) -> FrozenSet[str]:
        return frozenset(
            intent for name in names for intent in (uncovered if name == NOT_IN_GUIDE_INTENTS else (name,))
        )

    return Labels(
        intents={
            label: expand(_names(value, f"{source}: intents.{label}")) for label, value in data["intents"].items()
        },
        not_in_guide={
            subject: expand(_names(value, f"{source}: not_in_guide.{subject}"))
            for subject, value in data["not_in_guide"].items()
        },
        topics={label: _names(value, f"{source}: topics.{label}") for label, value in data["topics"].items()},
    )


def read_labels(path: Path, topics_path: Optional[Path] = None) -> Labels:
    """Read ``labels.yml``, checked against the intent table (``data/topics.yml``)."""
    from bot.topics import TopicsError, read_intent_table

    try:
        table = read_intent_table(topics_path or _default_topics_path())
    except TopicsError as error:
        raise RealQuestionsError(str(error)) from error
    labels = parse_labels(_yaml(path), [entry.intent for entry in table.not_in_guide], str(path))
    known_keys = {topic.key for topic in table.topics}
    unknown = sorted({key for keys in labels.topics.values() for key in keys} - known_keys)
    if unknown:
        raise RealQuestionsError(f"{path}: topic keys not in the intent table: {', '.join(unknown)}")
    return labels


def _default_topics_path() -> Path:
    return load_settings().topics_path


# ---------------------------------------------------------------------------------------------
# The measures: pure functions of the intent, the reply's text and the labels
# ---------------------------------------------------------------------------------------------


def quotes(reply: str, sentence: str) -> bool:
    """True when ``reply`` holds ``sentence`` (words compared without case, punctuation or layout)."""
    words = normalise(sentence)
    return len(words.split()) >= MIN_SENTENCE_WORDS and f" {words} " in f" {normalise(reply)} "


def quotes_any(reply: str, sentences: Iterable[str]) -> bool:
    """True when ``reply`` holds at least one of ``sentences``."""
    return any(quotes(reply, sentence) for sentence in sentences)


def has_safety_line(reply: str) -> bool:
    """True when ``reply`` holds the licensed-professional recommendation."""
    return SAFETY_LINE in " ".join(reply.casefold().split())


def topic_right(intent: str, question: RealQuestion, labels: Labels) -> bool:
    """True when ``intent`` is a right understanding of ``question``."""
    return intent in labels.allowed_intents(question)


def content_right(reply: str, question: RealQuestion, labels: Labels, knowledge: Knowledge) -> Optional[bool]:
    """For a guide label: does the reply quote a guide sentence of the label's topic? None otherwise."""
    keys = labels.topic_keys(question)
    if not keys:
        return None
    return quotes_any(reply, (sentence for key in keys for sentence in knowledge.by_topic.get(key, ())))


def safety_line_right(reply: str, question: RealQuestion) -> Optional[bool]:
    """For a question flagged ``safety``: does the reply recommend a licensed professional? None otherwise."""
    return has_safety_line(reply) if question.safety else None


def off_topic_handled(reply: str, question: RealQuestion, knowledge: Knowledge) -> Optional[bool]:
    """For an off-topic question: is the reply free of guide sentences? None otherwise."""
    return not quotes_any(reply, knowledge.all_sentences) if question.topic == OFF_TOPIC else None


def offered_right(intent: str, offered: Sequence[str], question: RealQuestion, labels: Labels) -> Optional[bool]:
    """For a topic question sent to "did you mean": does a button (``offered``: the intents of the reply's
    buttons) ask a topic the label allows? None otherwise."""
    if intent != FALLBACK or question.topic == OFF_TOPIC:
        return None
    return bool(labels.allowed_intents(question) & set(offered))


def judge(
    question: RealQuestion,
    intent: str,
    confidence: float,
    reply: str,
    labels: Labels,
    knowledge: Knowledge,
    offered: Sequence[str] = (),
) -> Judgement:
    """Every measure of one question (``offered``: the intents of the reply's buttons)."""
    return Judgement(
        question=question,
        intent=intent,
        confidence=confidence,
        reply=reply,
        topic_right=topic_right(intent, question, labels),
        content_right=content_right(reply, question, labels, knowledge),
        safety_line=safety_line_right(reply, question),
        off_topic_handled=off_topic_handled(reply, question, knowledge),
        offered_right=offered_right(intent, offered, question, labels),
    )


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Right / measured for one measure."""

    right: int = 0
    total: int = 0

    def add(self, verdict: Optional[bool]) -> None:
        if verdict is not None:
            self.total += 1
            self.right += int(verdict)

    @property
    def rate(self) -> Optional[float]:
        return self.right / self.total if self.total else None

    def cell(self) -> str:
        return f"{self.right}/{self.total}" if self.total else "-"


@dataclass
class Row:
    """One label's figures."""

    n: int = 0
    topic: Tally = field(default_factory=Tally)
    content: Tally = field(default_factory=Tally)
    safety_line: Tally = field(default_factory=Tally)
    off_topic: Tally = field(default_factory=Tally)


FIGURES = ("topic_accuracy", "content", "safety_line", "off_topic", "did_you_mean")
FIGURE_NAMES = {
    "topic_accuracy": "topic accuracy",
    "content": "content",
    "safety_line": "safety line",
    "off_topic": "off-topic handling",
    "did_you_mean": "did you mean",
}
FIGURE_TITLES = {
    "topic_accuracy": "topic accuracy (guide and not-in-guide questions)",
    "content": "content (guide questions answered with a sentence of their topic)",
    "safety_line": "safety line (safety questions ending with the licensed-professional line)",
    "off_topic": "off-topic handling (off-topic questions answered without guide content)",
    "did_you_mean": "did you mean (topic questions sent to it whose buttons offer a right topic)",
}


def tally(judgements: Sequence[Judgement], order: Sequence[str] = ()) -> Tuple[Dict[str, Tally], Dict[str, Row]]:
    """The headline tallies, and a row per label (``order`` first, then as labels first appear)."""
    headline = {name: Tally() for name in FIGURES}
    present = {item.question.label for item in judgements}
    rows: Dict[str, Row] = {label: Row() for label in order if label in present}
    for item in judgements:
        if item.question.topic != OFF_TOPIC:
            headline["topic_accuracy"].add(item.topic_right)
        headline["content"].add(item.content_right)
        headline["safety_line"].add(item.safety_line)
        headline["off_topic"].add(item.off_topic_handled)
        headline["did_you_mean"].add(item.offered_right)
        row = rows.setdefault(item.question.label, Row())
        row.n += 1
        row.topic.add(item.topic_right)
        row.content.add(item.content_right)
        row.safety_line.add(item.safety_line)
        row.off_topic.add(item.off_topic_handled)
    return headline, rows


def floor_problems(headline: Mapping[str, Tally], floors: Mapping[str, float]) -> List[str]:
    """A BELOW THE FLOOR message for each figure under its floor."""
    problems = []
    for name, floor in floors.items():
        rate = headline[name].rate
        if rate is not None and rate < floor:
            problems.append(
                f"BELOW THE FLOOR: {FIGURE_NAMES[name]} {rate:.3f} ({headline[name].cell()}) is under {floor:.2f}"
            )
    return problems


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _preview(reply: str) -> str:
    text = " ".join(reply.split())
    return text if len(text) <= REPLY_PREVIEW else text[:REPLY_PREVIEW] + "…"


def table_lines(rows: Mapping[str, Row]) -> List[str]:
    """The per-label table in plain text (for the terminal)."""
    lines = [f"{'label':26} {'n':>4} {'topic':>7} {'content':>8} {'safety line':>12} {'no guide text':>14}"]
    for label, row in rows.items():
        lines.append(
            f"{label:26} {row.n:>4} {row.topic.cell():>7} {row.content.cell():>8} "
            f"{row.safety_line.cell():>12} {row.off_topic.cell():>14}"
        )
    return lines


def round_lines(judgements: Sequence[Judgement]) -> List[str]:
    """The headline figures of each gathering round, when the questions come from several."""
    rounds = sorted({item.question.round for item in judgements})
    if len(rounds) < 2:
        return []
    lines = []
    for number in rounds:
        part = [item for item in judgements if item.question.round == number]
        headline, _ = tally(part)
        figures = ", ".join(
            f"{FIGURE_NAMES[name]} {'-' if headline[name].rate is None else f'{headline[name].rate:.3f}'} "
            f"({headline[name].cell()})"
            for name in FIGURES
        )
        lines.append(f"round {number} ({len(part)} questions): {figures}")
    return lines


def headline_lines(headline: Mapping[str, Tally], floors: Mapping[str, float]) -> List[str]:
    """One line per figure: rate, counts and floor."""
    lines = []
    for name in FIGURES:
        figure = headline[name]
        rate = "-" if figure.rate is None else f"{figure.rate:.3f}"
        floor = f" (floor {floors[name]:.2f})" if name in floors else " (no floor)"
        lines.append(f"{FIGURE_TITLES[name]}: {rate} ({figure.cell()}){floor}")
    return lines


def report_markdown(
    summary: Mapping[str, Any], rows: Mapping[str, Row], judgements: Sequence[Judgement], notes: Sequence[str] = ()
) -> str:
    """``report.md``: headline figures (then ``notes``), the per-label table, the failed questions."""
    lines = [
        "# Real visitors' questions",
        "",
        f"Questions: `{summary['questions']}` ({summary['count']}), server {summary['url']}, {summary['date']}.",
        "",
    ]
    lines += [f"- {line}" for line in headline_lines(_tallies(summary), summary["floors"])]
    lines += [f"- {line}" for line in round_lines(judgements)]
    lines += [f"- {line}" for line in notes]
    lines += ["", *(f"**{problem}**" for problem in summary["problems"])]
    lines += [
        "",
        "## Per label",
        "",
        "| label | n | topic right | content right | safety line | no guide text (off topic) |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {label} | {row.n} | {row.topic.cell()} | {row.content.cell()} | {row.safety_line.cell()} "
        f"| {row.off_topic.cell()} |"
        for label, row in rows.items()
    ]
    failed = [item for item in judgements if item.failures]
    lines += ["", f"## Misclassified or failed questions ({len(failed)})", ""]
    if not failed:
        lines.append("none")
    else:
        lines += [
            "| question | label | failed | intent | confidence | reply (first 120 characters) |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {_cell(item.question.text)} | {item.question.label} | {', '.join(item.failures)} "
            f"| {item.intent} | {item.confidence:.3f} | {_cell(_preview(item.reply))} |"
            for item in failed
        ]
    return "\n".join(lines) + "\n"


def _tallies(summary: Mapping[str, Any]) -> Dict[str, Tally]:
    return {name: Tally(value["right"], value["total"]) for name, value in summary["figures"].items()}


def build_summary(
    judgements: Sequence[Judgement],
    floors: Mapping[str, float],
    questions: Path,
    url: str,
    model: Optional[str] = None,
    order: Sequence[str] = (),
) -> Tuple[Dict[str, Any], Dict[str, Row]]:
    """``summary.json``'s content, and the per-label rows."""
    headline, rows = tally(judgements, order)
    summary = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "questions": _shown(questions),
        "count": len(judgements),
        "url": url,
        "model": model,
        "figures": {
            name: {"rate": figure.rate, "right": figure.right, "total": figure.total}
            for name, figure in headline.items()
        },
        "floors": dict(floors),
        "problems": floor_problems(headline, floors),
        "labels": {
            label: {
                "n": row.n,
                **{name: asdict(getattr(row, name)) for name in ("topic", "content", "safety_line", "off_topic")},
            }
            for label, row in rows.items()
        },
        "failed": [
            {
                "text": item.question.text,
                "label": item.question.label,
                "failed": item.failures,
                "intent": item.intent,
                "confidence": item.confidence,
                "reply": item.reply,
            }
            for item in judgements
            if item.failures
        ],
    }
    return summary, rows


def _shown(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


# ---------------------------------------------------------------------------------------------
# Talking to the running server
# ---------------------------------------------------------------------------------------------


def read_knowledge(database_url: str) -> Knowledge:
    """The knowledge base's sentences, by topic key and all of them."""
    from sqlalchemy.orm import Session

    from bot.db import make_engine
    from bot.knowledge import query
    from bot.topics import intent_table

    engine = make_engine(database_url)
    try:
        with Session(engine, future=True) as session:
            by_topic = {
                topic.key: tuple(row.text for row in query.topic_sentences(session, topic.key))
                for topic in intent_table().topics
            }
            everything = tuple(row.text for row in query.sentences_under_headings(session, lambda heading: True))
    finally:
        engine.dispose()
    return Knowledge(by_topic, tuple(dict.fromkeys([*everything, *(s for v in by_topic.values() for s in v)])))


def check_safety_line_wording() -> None:
    """Fail when the recommendation the assistant sends no longer holds :data:`SAFETY_LINE`."""
    from bot.answering.safety import professional_recommendation
    from bot.settings import load_clinic

    if not has_safety_line(professional_recommendation(load_clinic())):
        raise RealQuestionsError(
            f"the licensed-professional recommendation no longer says {SAFETY_LINE!r}: "
            "update SAFETY_LINE in bot/maintain/evaluation/real_questions.py"
        )


def _token(args: argparse.Namespace, settings: Settings) -> str:
    """--token, RASA_AUTH_TOKEN, or the token file scripts/serve.sh wrote for the --url's port."""
    if args.token:
        return str(args.token)
    port = urllib.parse.urlsplit(str(args.url)).port
    if port and port != settings.rasa_port:  # another instance (e.g. `make evaluate-real`'s) has its own file
        settings = load_settings(process_environment(RASA_PORT=str(port)))
    token = settings.current_api_token()
    if not token:
        raise RealQuestionsError(
            f"no API token: set RASA_AUTH_TOKEN, pass --token, or start the server with "
            f"scripts/serve.sh so that it writes {settings.api_token_file}"
        )
    return token


def button_intents(messages: Iterable[Mapping[str, Any]]) -> Tuple[str, ...]:
    """The intents the reply's buttons send ("/ask_procedure" -> "ask_procedure"), in order."""
    payloads = (str(button.get("payload") or "") for message in messages for button in message.get("buttons") or [])
    return tuple(payload[1:].split("{")[0] for payload in payloads if payload.startswith("/"))


def ask(url: str, token: str, text: str, sender: str) -> Tuple[str, float, str, Tuple[str, ...]]:
    """The intent, its confidence, the reply's text and its buttons' intents for one question."""
    parsed = request_json("POST", f"{url}/model/parse?token={urllib.parse.quote(token)}", {"text": text}).json({})
    intent = (parsed or {}).get("intent") or {}
    messages = request_json("POST", f"{url}/webhooks/rest/webhook", {"sender": sender, "message": text}).json([])
    reply = "\n".join(str(message["text"]) for message in messages or [] if message.get("text"))
    offered = button_intents(messages or [])
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0), reply, offered


def _model_name(url: str, token: str) -> Optional[str]:
    try:
        status = request_json("GET", f"{url}/status?token={urllib.parse.quote(token)}", timeout=10).json({})
    except HttpJsonError:
        return None
    return (status or {}).get("model_file")


def evaluate_real(args: argparse.Namespace, settings: Settings) -> int:
    """Ask every question, write the report, print the figures; 1 when a floor is missed."""
    url = str(args.url).rstrip("/")
    floors = {"topic_accuracy": args.min_topic, "safety_line": args.min_safety_line, "off_topic": args.min_off_topic}
    try:
        questions = read_questions(args.questions)
        labels = read_labels(args.labels, settings.topics_path)
        for question in questions:
            labels.allowed_intents(question)  # every label known before asking anything
        check_safety_line_wording()
        token = _token(args, settings)
        knowledge = read_knowledge(settings.database_url)
    except RealQuestionsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not knowledge.all_sentences:
        print(f"error: the knowledge base at {settings.database_url} is empty (run `make kb`)", file=sys.stderr)
        return 1
    run_id = uuid.uuid4().hex[:8]
    judgements = []
    print(f"Asking {len(questions)} questions of {_shown(args.questions)} to {url}...", flush=True)
    for number, question in enumerate(questions, start=1):
        try:
            intent, confidence, reply, offered = ask(url, token, question.text, f"real-eval-{number}-{run_id}")
        except HttpJsonError as error:
            hint = (
                " (the API token was refused: --token, RASA_AUTH_TOKEN or the token file)"
                if error.status in (401, 403)
                else ""
            )
            print(f"error: the Rasa server at {url} {error}{hint}", file=sys.stderr)
            return 1
        judgements.append(judge(question, intent, confidence, reply, labels, knowledge, offered))
    from bot.maintain.evaluation.second_labelling import agreement, read_second_topics

    try:
        second = agreement(judgements, read_second_topics(args.second_labels))
    except RealQuestionsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    summary, rows = build_summary(judgements, floors, args.questions, url, _model_name(url, token), labels.row_order)
    summary["second_labelling"] = second.as_dict()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (out / "report.md").write_text(report_markdown(summary, rows, judgements, second.lines()), encoding="utf-8")
    print("\n".join(table_lines(rows)))
    print()
    print("\n".join(headline_lines(_tallies(summary), floors)))
    for line in [*round_lines(judgements), *second.lines()]:
        print(line)
    print(f"\nReport: {out / 'report.md'}  (summary: {out / 'summary.json'})", flush=True)
    for problem in summary["problems"]:
        print(problem, file=sys.stderr, flush=True)
    print("Real-question evaluation FAILED." if summary["problems"] else "Real-question evaluation passed.", flush=True)
    return 1 if summary["problems"] else 0


def _rate(value: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError("a floor is a rate between 0 and 1")
    return rate


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]", settings: Settings) -> None:
    """Add ``evaluate-real`` to the CLI's subcommands."""
    parser = commands.add_parser(
        "evaluate-real",
        help="ask a running Rasa server the real visitors' questions "
        "and check topic, content, safety line and off-topic handling",
    )
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="default %(default)s")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="label -> intents and topic keys")
    parser.add_argument("--url", default=settings.rasa_url, help="the running Rasa server (default %(default)s)")
    parser.add_argument(
        "--token",
        help=f"Rasa's API token (default RASA_AUTH_TOKEN, else the token file {_shown(settings.api_token_file)})",
    )
    parser.add_argument(
        "--second-labels",
        type=Path,
        default=DEFAULT_SECOND_LABELS,
        help="a second, blind labelling of the questions to compare with (default %(default)s; skipped when absent)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report folder (default %(default)s)")
    parser.add_argument(
        "--min-topic",
        type=_rate,
        default=settings.real_topic_floor,
        help="floor of topic accuracy (default %(default)s, MESO_REAL_TOPIC_FLOOR)",
    )
    parser.add_argument(
        "--min-safety-line",
        type=_rate,
        default=settings.real_safety_line_floor,
        help="floor of the safety-line rate (default %(default)s, MESO_REAL_SAFETY_LINE_FLOOR)",
    )
    parser.add_argument(
        "--min-off-topic",
        type=_rate,
        default=settings.real_off_topic_floor,
        help="floor of off-topic handling (default %(default)s, MESO_REAL_OFF_TOPIC_FLOOR)",
    )
    parser.set_defaults(func=lambda args: evaluate_real(args, settings))
