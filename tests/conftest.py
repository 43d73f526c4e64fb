"""Shared fixtures: our spaCy pipeline, and real databases (SQLite file and PostgreSQL)."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from bot.db import make_engine, make_session_factory
from bot.answering.answers import Assistant
from bot.clinic.profile import Clinic
from bot.knowledge.build import build_knowledge_base, guide_files
from bot.nlp.pipeline import ensure_pipeline, load_pipeline
from bot.nlp.vocabulary import Vocabulary
from bot.settings import PROJECT_ROOT

GUIDE_DIR = PROJECT_ROOT / "data" / "guide"
GUIDE_TEXT = (GUIDE_DIR / "mesotherapy-guide.txt").read_text(encoding="utf-8")
VOCABULARY_PATH = PROJECT_ROOT / "data" / "vocabulary.yml"
POSTGRES_ADMIN_URL = os.environ.get(
    "MESO_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def spacy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("spacy") / "mesotherapy_en"
    ensure_pipeline(VOCABULARY_PATH, target)
    return target


@pytest.fixture(scope="session")
def nlp(spacy_dir: Path):
    return load_pipeline(spacy_dir)


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return Vocabulary.load(VOCABULARY_PATH)


def _postgres_database() -> Iterator[str]:
    """Create a fresh database on the local PostgreSQL server, drop it afterwards."""
    name = f"meso_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(make_url(POSTGRES_ADMIN_URL).set(database=name))
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A real, empty database of each kind the project supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'knowledge.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def guide_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped guide folder."""
    target = tmp_path / "guide"
    shutil.copytree(GUIDE_DIR, target)
    return target


@pytest.fixture(scope="session")
def built_sqlite_url(tmp_path_factory: pytest.TempPathFactory, nlp) -> str:
    """A knowledge base built once from the shipped guide, for read-only tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('kb') / 'knowledge.db'}"
    engine = make_engine(url)
    build_knowledge_base(engine, guide_files(GUIDE_DIR), nlp)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def assistant(built_sqlite_url: str, vocabulary: Vocabulary) -> Assistant:
    return Assistant(make_session_factory(make_engine(built_sqlite_url)), vocabulary, Clinic())
