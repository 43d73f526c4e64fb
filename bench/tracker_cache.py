"""What the tracker cache's per-message check costs: ``python -m bench.tracker_cache``.

On a fresh PostgreSQL database (``MESO_TEST_POSTGRES_URL``, default the local server), for
conversations of 10, 100 and 400 turns (5 events each): the check alone (the conversation's highest
event id), a retrieve from the cache with the check, one without it, and a full read from the database
(what Rasa's SQL store does on every message, and what the cache does after another replica wrote).
Median milliseconds over ``--repeat`` calls. Not a test: figures for the README.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from typing import Callable, Dict, List, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.settings import PROJECT_ROOT, load_settings
from connectors.tracker_store import CachedSQLTrackerStore

POSTGRES_ADMIN_URL = load_settings().test_postgres_admin_url


def _median_ms(call: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _timings(store: CachedSQLTrackerStore, plain: SQLTrackerStore, sender: str, repeat: int) -> Dict[str, float]:
    saved = store._saved[sender]

    def cached(check: bool) -> None:
        store.check_database = check
        asyncio.run(store.retrieve(sender))
        store._saved[sender] = saved  # put back, as the message's save would

    return {
        "check_ms": _median_ms(lambda: store.last_event_id(sender), repeat),
        "cached_checked_ms": _median_ms(lambda: cached(True), repeat),
        "cached_unchecked_ms": _median_ms(lambda: cached(False), repeat),
        "full_read_ms": _median_ms(lambda: asyncio.run(plain.retrieve(sender)), max(5, repeat // 10)),
    }


def measure(turns: List[int], repeat: int) -> List[Dict[str, float]]:
    """Figures per conversation length, on a database created and dropped here."""
    name = f"meso_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    settings = {"dialect": "postgresql", "host": url.host, "port": url.port, "db": name, "username": url.username}
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    rows = []
    try:
        store = CachedSQLTrackerStore(domain, **settings)
        plain = SQLTrackerStore(domain, **settings)
        for count in turns:
            sender = f"bench-{count}"
            tracker = DialogueStateTracker(sender, domain.slots)
            for number in range(count):
                for event in (
                    UserUttered(f"question {number}", intent={"name": "ask_safety", "confidence": 0.9}),
                    ActionExecuted("action_answer"),
                    BotUttered(f"answer {number}"),
                    SlotSet("topic", "safety"),
                    ActionExecuted("action_listen"),
                ):
                    tracker.update(event)
            asyncio.run(store.save(tracker))
            rows.append({"turns": count, "events": 5 * count, **_timings(store, plain, sender, repeat)})
        store.engine.dispose()
        plain.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.tracker_cache", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, nargs="+", default=[10, 100, 400])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    print(
        f"{'turns':>6} {'events':>7} {'check':>8} {'cached+check':>13} {'cached, no check':>17} {'full read':>10}  (ms)"
    )
    for row in measure(args.turns, args.repeat):
        print(
            f"{row['turns']:>6} {row['events']:>7} {row['check_ms']:>8.3f} {row['cached_checked_ms']:>13.3f} "
            f"{row['cached_unchecked_ms']:>17.3f} {row['full_read_ms']:>10.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
