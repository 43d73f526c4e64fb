"""Build the knowledge base from the guide files, skipping those that did not change.

Each guide is stored with the SHA-256 of its content and a fingerprint of the builder (the
vocabulary and the parsing rules). A rebuild replaces a changed guide's rows in one
transaction, so a failed build leaves the previous knowledge base intact.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from spacy.language import Language
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.knowledge import extract, parse
from bot.knowledge.schema import Base, Block, Document, Fact, Section, Sentence, SentenceTopic
from bot.topics import Topic, intent_table

GUIDE_SUFFIXES = (".txt", ".md")


@dataclass
class DocumentDiff:
    """What a rebuild changed in one guide: headings, sentences and facts added or removed."""

    sections_added: List[str] = field(default_factory=list)
    sections_removed: List[str] = field(default_factory=list)
    sentences_added: List[str] = field(default_factory=list)
    sentences_removed: List[str] = field(default_factory=list)
    facts_added: List[str] = field(default_factory=list)
    facts_removed: List[str] = field(default_factory=list)

    def lines(self) -> List[str]:
        """Readable lines, one per change ("+ section: ...", "- fact: ...")."""
        parts = [
            ("+ section", self.sections_added),
            ("- section", self.sections_removed),
            ("+ sentence", self.sentences_added),
            ("- sentence", self.sentences_removed),
            ("+ fact", self.facts_added),
            ("- fact", self.facts_removed),
        ]
        return [f"{label}: {item}" for label, items in parts for item in items]


@dataclass
class BuildReport:
    """What a build did to each guide (``built``, ``unchanged`` or ``removed``) and the diffs."""

    documents: Dict[str, str] = field(default_factory=dict)
    diffs: Dict[str, DocumentDiff] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(status != "unchanged" for status in self.documents.values())


def guide_files(guide_dir: Path) -> List[Path]:
    """Return the guide files of ``guide_dir`` in a stable order."""
    return sorted(p for p in Path(guide_dir).iterdir() if p.is_file() and p.suffix in GUIDE_SUFFIXES)


def content_hash(data: bytes) -> str:
    """SHA-256 of a guide's bytes."""
    return hashlib.sha256(data).hexdigest()


def builder_fingerprint(nlp: Language, topics: Sequence[Topic]) -> str:
    """Hash of what turns text into rows: the parsing code, the entity patterns and the topics."""
    digest = hashlib.sha256()
    for module in (parse, extract):
        digest.update(Path(module.__file__).read_bytes())
    for pattern in nlp.get_pipe("entity_ruler").patterns:
        digest.update(repr(sorted(pattern.items())).encode())
    digest.update(repr(topics).encode())
    return digest.hexdigest()


def create_schema(engine: Engine) -> None:
    """Create the knowledge-base tables that do not exist yet."""
    Base.metadata.create_all(engine)


def _document_rows(name: str, text: str, digest: str, nlp: Language, topics: Sequence[Topic]) -> Document:
    guide = parse.parse_guide(text, fallback_title=Path(name).stem)
    document = Document(name=name, title=guide.title, content_hash=digest, built_at=datetime.now(timezone.utc))
    order = 0
    for section_position, parsed_section in enumerate(guide.sections):
        section = Section(position=section_position, heading=parsed_section.heading)
        document.sections.append(section)
        lead_in = ""
        for block_position, parsed_block in enumerate(parsed_section.blocks):
            block = Block(position=block_position, kind=parsed_block.kind)
            section.blocks.append(block)
            spans = _sentence_spans(parsed_block, nlp)
            context = extract.SentenceContext(parsed_block.kind, lead_in)
            for position, span in enumerate(spans):
                facts = extract.extract_facts(span, context)
                sentence = Sentence(position=position, document_order=order, text=span.text.strip())
                order += 1
                block.sentences.append(sentence)
                sentence.facts = [Fact(kind=f.kind, subject=f.subject, value=f.value) for f in facts]
                keys = extract.sentence_topics(span, facts, parsed_section.heading, topics)
                sentence.topics = [SentenceTopic(topic=key) for key in sorted(keys)]
            if parsed_block.kind == "paragraph":
                lead_in = parsed_block.items[0]
    return document


def _contents(document: Optional[Document]) -> Tuple[List[str], List[str], List[str]]:
    """Headings, sentences and facts (as readable strings) of a stored document."""
    if document is None:
        return [], [], []
    sentences = [sentence for section in document.sections for block in section.blocks for sentence in block.sentences]
    facts = [
        f"{fact.kind}({fact.subject}): {fact.value}"
        for sentence in sentences
        for fact in sentence.facts
        if fact.kind != "definition"
    ]
    return [section.heading for section in document.sections], [s.text for s in sentences], facts


def _diff(old: Optional[Document], new: Optional[Document]) -> DocumentDiff:
    (old_headings, old_sentences, old_facts), (new_headings, new_sentences, new_facts) = _contents(old), _contents(new)

    def added(before: List[str], after: List[str]) -> List[str]:
        return [item for item in dict.fromkeys(after) if item not in set(before)]

    return DocumentDiff(
        added(old_headings, new_headings),
        added(new_headings, old_headings),
        added(old_sentences, new_sentences),
        added(new_sentences, old_sentences),
        added(old_facts, new_facts),
        added(new_facts, old_facts),
    )


def _sentence_spans(block: parse.ParsedBlock, nlp: Language) -> list:
    if block.kind == "bullet_list":
        return [nlp(item)[:] for item in block.items]
    return [sent for sent in nlp(block.items[0]).sents if sent.text.strip()]


def build_knowledge_base(
    engine: Engine,
    guide_paths: Iterable[Path],
    nlp: Language,
    force: bool = False,
    topics: Optional[Sequence[Topic]] = None,
) -> BuildReport:
    """Bring the knowledge base in line with ``guide_paths``, tagging sentences with ``topics``
    (the intent table's by default); return what changed."""
    topics = intent_table().topics if topics is None else topics
    create_schema(engine)
    fingerprint = builder_fingerprint(nlp, topics)
    report = BuildReport()
    paths = list(guide_paths)
    with Session(engine, future=True) as session, session.begin():
        stored = {doc.name: doc for doc in session.execute(select(Document)).scalars()}
        for path in paths:
            data = Path(path).read_bytes()
            digest = content_hash(data + fingerprint.encode())
            existing = stored.pop(path.name, None)
            if existing is not None and existing.content_hash == digest and not force:
                report.documents[path.name] = "unchanged"
                continue
            text = data.decode("utf-8", errors="replace")
            document = _document_rows(path.name, text, digest, nlp, topics)
            report.diffs[path.name] = _diff(existing, document)
            if existing is not None:
                session.delete(existing)
                session.flush()
            session.add(document)
            report.documents[path.name] = "built"
        for name, leftover in stored.items():
            report.diffs[name] = _diff(leftover, None)
            session.delete(leftover)
            report.documents[name] = "removed"
    return report
