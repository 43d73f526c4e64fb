"""Rasa endpoints files written by our tools (the evaluation, the tests, the benchmark): one writer.

``endpoints.yml`` and ``endpoints.production.yml`` are written by hand; this writes the others:
the action server of the given settings, and optionally where conversations are kept (a SQL
database) and a Redis lock store. Light on purpose (no SQLAlchemy): ``python -m bot`` imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import unquote, urlsplit

import yaml

from bot.settings import Settings

# Our SQL tracker store (connectors/tracker_store.py), as in endpoints.yml.
CACHED_SQL_TRACKER_STORE = "connectors.tracker_store.CachedSQLTrackerStore"
# Our Redis lock store (connectors/lock_store.py: atomic tickets), as in endpoints.production.yml.
ATOMIC_REDIS_LOCK_STORE = "connectors.lock_store.AtomicRedisLockStore"


def action_webhook(settings: Settings) -> str:
    """The action server's webhook, as Rasa's ``action_endpoint`` names it."""
    return f"{settings.action_url}/webhook"


def tracker_store(database_url: str) -> Dict[str, Any]:
    """The ``tracker_store`` section for a SQL database: ``sqlite:///path`` or ``postgresql://user:password@host:port/db``."""
    parts = urlsplit(database_url)
    if parts.scheme.split("+")[0] == "sqlite":
        return {"type": CACHED_SQL_TRACKER_STORE, "dialect": "sqlite", "db": unquote(parts.path[1:])}
    section: Dict[str, Any] = {
        "type": CACHED_SQL_TRACKER_STORE,
        "dialect": parts.scheme,
        "url": parts.hostname,
        "port": parts.port,
        "db": unquote(parts.path.lstrip("/")),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
    }
    return {key: value for key, value in section.items() if value not in (None, "")}


def lock_store(redis_url: str, key_prefix: str = "mesotherapy") -> Dict[str, Any]:
    """The ``lock_store`` section for Redis: ``redis://[:password@]host[:port][/db]``."""
    parts = urlsplit(redis_url)
    section: Dict[str, Any] = {
        "type": ATOMIC_REDIS_LOCK_STORE,
        "url": parts.hostname,
        "port": parts.port,
        "db": int(parts.path.lstrip("/") or 0),
        "password": unquote(parts.password or ""),
        "key_prefix": key_prefix,
    }
    return {key: value for key, value in section.items() if value not in (None, "")}


def write_endpoints(
    path: Path, settings: Settings, tracker_db: Optional[str] = None, lock_store_url: Optional[str] = None
) -> Path:
    """Write an endpoints file to ``path``: the action server of ``settings``, conversations in the SQL
    database ``tracker_db`` (none: in Rasa's memory) and a Redis lock store at ``lock_store_url``."""
    endpoints: Dict[str, Any] = {"action_endpoint": {"url": action_webhook(settings)}}
    if tracker_db:
        endpoints["tracker_store"] = tracker_store(tracker_db)
    if lock_store_url:
        endpoints["lock_store"] = lock_store(lock_store_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by bot/maintain/endpoints.py.\n" + yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8"
    )
    return path
