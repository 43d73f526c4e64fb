"""Where Rasa's SQL tracker store is, read from an endpoints file as Rasa reads it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Mapping, Optional

import yaml
from sqlalchemy import Float, Integer, String, Text, column, table
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.settings import environment

_ENV_REFERENCE = re.compile(r"\$\{([^}]+)\}")
# Tracker store types that keep conversations in Rasa's SQL tables.
SQL_STORE_TYPES = ("sql", "connectors.tracker_store.cachedsqltrackerstore")
# The columns of Rasa's SQL tracker store table that the maintainers' tools read and delete.
EVENTS = table(
    "events",
    column("id", Integer),
    column("sender_id", String),
    column("type_name", String),
    column("timestamp", Float),
    column("data", Text),
)


class EndpointsError(Exception):
    """The endpoints file has no usable SQL tracker store."""


def _expand(value: object, environ: Mapping[str, str], source: Path) -> Optional[str]:
    if value is None:
        return None

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in environ:
            raise EndpointsError(f"{source}: environment variable {name} is not set (tracker_store)")
        return environ[name]

    return _ENV_REFERENCE.sub(replace, str(value)) or None


def tracker_store_url(endpoints: Path, base_dir: Path, environ: Optional[Mapping[str, str]] = None) -> str:
    """The SQLAlchemy URL of the SQL tracker store configured in ``endpoints`` (``${VAR}`` expanded).

    A relative SQLite path is taken relative to ``base_dir`` (where the Rasa server runs).
    """
    environ = environment() if environ is None else environ
    try:
        config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise EndpointsError(f"cannot read {endpoints}: {error}") from error
    store = config.get("tracker_store") if isinstance(config, dict) else None
    if not isinstance(store, dict) or str(store.get("type", "")).lower() not in SQL_STORE_TYPES:
        raise EndpointsError(f"{endpoints}: no `tracker_store` of type SQL")
    dialect = _expand(store.get("dialect", "sqlite"), environ, endpoints) or "sqlite"
    database = _expand(store.get("db"), environ, endpoints)
    if dialect == "sqlite":
        path = Path(database or "rasa.db")
        return f"sqlite:///{path if path.is_absolute() else base_dir / path}"
    port = _expand(store.get("port"), environ, endpoints)
    try:
        url = URL.create(
            drivername=dialect,
            username=_expand(store.get("username"), environ, endpoints),
            password=_expand(store.get("password"), environ, endpoints),
            host=_expand(store.get("url"), environ, endpoints),
            port=int(port) if port else None,
            database=database,
            query={key: str(value) for key, value in (store.get("query") or {}).items()},
        )
    except (AttributeError, TypeError, ValueError) as error:
        raise EndpointsError(f"{endpoints}: bad tracker_store setting: {error}") from error
    return url.render_as_string(hide_password=False)


def quoted_env_references(endpoints: Path) -> List[str]:
    """The tracker store settings written as quoted ``"${VAR}"``: Rasa 3.6 expands only unquoted ones."""
    try:
        root = yaml.compose(endpoints.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    quoted: List[str] = []
    for key, value in root.value if isinstance(root, yaml.MappingNode) else []:
        if key.value == "tracker_store" and isinstance(value, yaml.MappingNode):
            quoted.extend(
                setting.value
                for setting, node in value.value
                if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"') and _ENV_REFERENCE.search(node.value)
            )
    return quoted


def display_url(url: str) -> str:
    """``url`` with its password hidden, for messages and reports."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"
