"""Personal data kept no longer than ``MESO_RETENTION_DAYS``: the action server runs
``python -m bot apply-retention`` (tracker events of ``ENDPOINTS``' store and handoff requests older
than the period) once at its start and then every ``MESO_RETENTION_INTERVAL_HOURS`` hours.

A separate process, as a maintainer would run it by hand: the same code, the same log line (counts
only, never personal data), and the action server's event loop never waits on the deletion.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.settings import PROJECT_ROOT, load_settings

logger = logging.getLogger(__name__)


async def apply_retention_once() -> bool:
    """Run ``python -m bot apply-retention``; True when it succeeded. Its output goes to the log."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "apply-retention",
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    summary = " ".join(output.decode(errors="replace").split())[-500:]
    if process.returncode == 0:
        logger.info("Retention applied: %s", summary)
        return True
    logger.warning("Retention could not be applied (exit %s): %s", process.returncode, summary)
    return False


async def apply_retention_periodically() -> None:
    """Forever: apply the retention period now, then every ``MESO_RETENTION_INTERVAL_HOURS`` hours
    (0: never, the command is then run by hand or by cron)."""
    interval_hours = load_settings().retention_interval_hours
    if interval_hours <= 0:
        return
    while True:
        try:
            await apply_retention_once()
        except OSError as error:  # the interpreter cannot be started: try again next round
            logger.warning("Retention could not be applied: %s", error)
        await asyncio.sleep(interval_hours * 3600)
