"""Wire the settings, the database and the knowledge base into a ready :class:`Assistant`."""

from __future__ import annotations

import logging
from typing import List, Optional

from sqlalchemy.orm import Session, sessionmaker

from bot.answering.answers import Assistant
from bot.clinic.handoff import create_tables
from bot.db import make_engine, make_session_factory
from bot.knowledge import query
from bot.knowledge.build import BuildReport, build_knowledge_base, guide_files
from bot.nlp.pipeline import ensure_pipeline, load_pipeline
from bot.nlp.vocabulary import Vocabulary
from bot.settings import Settings, load_clinic, load_settings

logger = logging.getLogger(__name__)


def build_knowledge(settings: Optional[Settings] = None, force: bool = False) -> BuildReport:
    """Build our spaCy pipeline if needed, then the knowledge base from the guide files."""
    settings = settings or load_settings()
    ensure_pipeline(settings.vocabulary_path, settings.spacy_model_dir)
    engine = make_engine(settings.database_url)
    try:
        return build_knowledge_base(
            engine, guide_files(settings.guide_dir), load_pipeline(settings.spacy_model_dir), force=force
        )
    finally:
        engine.dispose()


def guide_sections(settings: Optional[Settings] = None) -> List[query.SectionRow]:
    """Every section of the built knowledge base, with the topics its sentences answer."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine, future=True) as session:
            return query.sections(session)
    finally:
        engine.dispose()


def open_assistant(settings: Optional[Settings] = None) -> Assistant:
    """Return an assistant on an up-to-date knowledge base (built first if needed)."""
    settings = settings or load_settings()
    report = build_knowledge(settings)
    if report.changed:
        logger.info("Knowledge base rebuilt: %s", report.documents)
    engine = make_engine(settings.database_url)
    return Assistant(make_session_factory(engine), Vocabulary.load(settings.vocabulary_path), load_clinic())


def open_handoff_store(settings: Optional[Settings] = None) -> sessionmaker:
    """Sessions on the database of handoff requests (the knowledge base's), table created."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    create_tables(engine)
    return make_session_factory(engine)
