"""Shared fixtures: our spaCy pipeline, and real databases (SQLite file and PostgreSQL).

Markers (registered in pyproject.toml): a test module that starts the real servers or runs rasa
commands says ``pytestmark = pytest.mark.servers`` (``browser`` for Chromium, ``slow`` for the
longest); every other test is marked ``unit`` here, for ``make test-unit`` (``pytest -m unit``).
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator, List

import pytest
from sqlalchemy.engine import Engine

from bot.answering.answers import Assistant
from bot.clinic import handoff
from bot.clinic.profile import Clinic
from bot.db import make_engine, make_session_factory
from bot.knowledge.build import build_knowledge_base, guide_files
from bot.nlp.pipeline import ensure_pipeline, load_pipeline
from bot.nlp.vocabulary import Vocabulary
from tests.support import GUIDE_DIR, VOCABULARY_PATH, postgres_database

NOT_UNIT_MARKERS = ("servers", "browser")


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the markers
def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    """Mark as ``unit`` every test that does not need the real servers or a browser."""
    for item in items:
        if not any(item.get_closest_marker(name) for name in NOT_UNIT_MARKERS):
            item.add_marker(pytest.mark.unit)


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


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A real, empty database of each kind the project supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'knowledge.db'}"
    else:
        yield from postgres_database()


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


@pytest.fixture
def sessions(database_url: str):
    """Sessions on a real database of each kind with the handoff tables created."""
    engine = make_engine(database_url)
    handoff.create_tables(engine)
    yield make_session_factory(engine)
    engine.dispose()
