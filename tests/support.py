"""What tests/conftest.py and the test modules share: the shipped guide and vocabulary, and a
fresh PostgreSQL database."""
from __future__ import annotations

import uuid
from typing import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.settings import PROJECT_ROOT, load_settings

GUIDE_DIR = PROJECT_ROOT / "data" / "guide"
GUIDE_TEXT = (GUIDE_DIR / "mesotherapy-guide.txt").read_text(encoding="utf-8")
VOCABULARY_PATH = PROJECT_ROOT / "data" / "vocabulary.yml"
POSTGRES_ADMIN_URL = load_settings().test_postgres_admin_url


def postgres_database() -> Iterator[str]:
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
