"""The action server: ``python -m actions.server`` (what ``scripts/serve.sh`` starts).

rasa_sdk's server (the actions of this package on ``ACTION_INTERFACE``:``ACTION_PORT``) plus:

* the knowledge base is built (when the guide changed) and checked **before** the server
  listens: a guide that cannot be parsed, or a knowledge base with no section, stops the start
  with a clear message instead of failing on the first visitor's message;
* pending handoff requests are sent to the clinic's webhook (``CLINIC_WEBHOOK_URL``) by a
  background task: first ``HANDOFF_RETRY_INTERVAL`` seconds after the start, then again after the
  same interval, doubled after every round that left a request pending (at most an hour);
* the retention period (``MESO_RETENTION_DAYS``) is applied at the start and every
  ``MESO_RETENTION_INTERVAL_HOURS`` hours (``actions/retention.py``);
* what it writes is readable by its user only (umask 077), and phone numbers and email
  addresses are masked in its log (``bot/masking.py``);
* when ``ACTION_SERVER_SECRET`` is set, every request but ``GET /health`` must carry it in the
  ``X-Action-Secret`` header (the Rasa server sends it: ``connectors/action_auth.py``), else a 403;
  bound to an address other than loopback, the server does not start without a secret.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import sys
from typing import Any, Optional, Text

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.retention import apply_retention_periodically
from bot.clinic import handoff
from bot.masking import install_log_masking
from bot.service import guide_sections
from bot.settings import ACTION_SECRET_HEADER, is_loopback, load_clinic, load_settings

logger = logging.getLogger(__name__)


class KnowledgeBaseNotReady(RuntimeError):
    """The knowledge base could not be built, or has nothing to answer with."""


def prepare_knowledge_base() -> int:
    """Build the knowledge base when the guide changed, open the assistant, check it has sections."""
    from actions.actions import assistant

    try:
        assistant()  # builds the spaCy pipeline and the knowledge base when needed (cached for the actions)
        sections = guide_sections()
    except Exception as error:
        raise KnowledgeBaseNotReady(f"the knowledge base could not be built: {error}") from error
    if not sections:
        raise KnowledgeBaseNotReady(
            f"the knowledge base has no section: check the guide in {load_settings().guide_dir}"
        )
    return len(sections)


async def retry_pending_handoffs(interval: Optional[float] = None) -> None:
    """Forever: send the pending handoff requests again, with backoff while some stay pending."""
    from actions.handoff import handoff_store

    interval = load_settings().handoff_retry_interval if interval is None else interval
    failed_rounds = 0
    while True:
        await asyncio.sleep(handoff.retry_delay(interval, failed_rounds))
        url = load_clinic().webhook_url
        if not url:
            continue
        try:
            results = await asyncio.get_running_loop().run_in_executor(
                None, handoff.retry_pending, handoff_store(), url
            )
        except Exception as error:  # noqa: BLE001 (the database is down: try again later)
            logger.warning("Pending handoff requests could not be read: %s", type(error).__name__)
            results = {0: False}
        if results:
            logger.info(
                "Pending handoff requests retried: %d sent, %d still pending",
                sum(results.values()),
                sum(not ok for ok in results.values()),
            )
        failed_rounds = failed_rounds + 1 if not all(results.values()) else 0


def require_secret(app: Sanic, secret: Text) -> None:
    """Refuse (403) every request to ``app`` but the health check that lacks ``secret``."""

    async def check(request: Request) -> Optional[HTTPResponse]:
        if request.path == "/health":
            return None
        given = request.headers.get(ACTION_SECRET_HEADER, "")
        if hmac.compare_digest(given.encode(), secret.encode()):
            return None
        logger.warning("Action server: a request to %s without the shared secret was refused", request.path)
        return response.json({"error": f"the {ACTION_SECRET_HEADER} header does not hold the shared secret"}, 403)

    app.register_middleware(check, "request")


def create_action_app() -> Sanic:
    """rasa_sdk's app for our actions, with the background retry of pending handoff requests, the
    retention period applied on a schedule and, when ``ACTION_SERVER_SECRET`` is set, the shared
    secret required."""
    app = create_app("actions", cors_origins=None)
    secret = load_settings().action_server_secret
    if secret:
        require_secret(app, secret)

    async def start_retries(app: Sanic, _: Any) -> None:
        loop = asyncio.get_running_loop()
        app.ctx.background = [
            loop.create_task(retry_pending_handoffs()),
            loop.create_task(apply_retention_periodically()),
        ]

    async def stop_retries(app: Sanic, _: Any) -> None:
        for task in getattr(app.ctx, "background", []):
            task.cancel()

    app.register_listener(start_retries, "after_server_start")
    app.register_listener(stop_retries, "before_server_stop")
    return app


def main() -> int:
    os.umask(0o077)  # the handoff and knowledge databases readable by this user only
    install_log_masking()
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging("INFO")
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), None, "INFO", None)
    utils.update_sanic_log_level()
    settings = load_settings()
    if not settings.action_server_secret and not is_loopback(settings.action_interface):
        print(
            f"error: the action server would listen on {settings.action_interface}, not loopback, without "
            "authentication: set ACTION_SERVER_SECRET (the same on the Rasa server) or ACTION_INTERFACE=127.0.0.1",
            file=sys.stderr,
        )
        return 2
    try:
        count = prepare_knowledge_base()
    except KnowledgeBaseNotReady as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    logger.info("Knowledge base ready: %d sections", count)
    app = create_action_app()
    logger.info(
        "Action server on %s:%s (%s)",
        settings.action_interface,
        settings.action_port,
        "shared secret required" if settings.action_server_secret else "no shared secret: loopback only",
    )
    app.run(settings.action_interface, settings.action_port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
