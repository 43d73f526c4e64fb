"""The one place where database engines and sessions are created.

On PostgreSQL every connection gives up connecting after ``CONNECT_TIMEOUT_S`` and has each
statement cancelled by the server after ``STATEMENT_TIMEOUT_S``, so a database that is down or
stuck fails a visitor's message (who is told to try again) instead of holding it forever.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_S = 15


def postgresql_timeouts() -> Dict[str, str]:
    """libpq connection parameters: the connect and statement timeouts."""
    return {"connect_timeout": str(CONNECT_TIMEOUT_S), "options": f"-c statement_timeout={STATEMENT_TIMEOUT_S * 1000}"}


def make_engine(database_url: str) -> Engine:
    """Create an engine (PostgreSQL: with the timeouts); for SQLite, create the file's folder first."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = postgresql_timeouts() if url.get_backend_name() == "postgresql" else {}
    return create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args)


def make_session_factory(engine: Engine) -> sessionmaker:
    """Return a factory of 2.0-style sessions bound to ``engine``."""
    return sessionmaker(bind=engine, class_=Session, future=True, expire_on_commit=False)
