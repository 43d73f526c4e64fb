"""Handing a conversation over to the clinic: store the visitor's request (details read by
:mod:`bot.clinic.contact_form`), then notify the clinic's webhook (with retries; failed notifications stay pending).

The webhook: the body is JSON signed with ``CLINIC_WEBHOOK_SECRET`` (header
``X-Clinic-Signature-256: sha256=<HMAC-SHA256 hex of the exact body>``); only a 2xx answer counts
(a redirect is a failure, never followed); the URL must be https, except on loopback; every error
of an attempt is caught and recorded (the request stays pending, never lost). Pending requests are
retried by the action server in the background (``retry_delay`` gives the backoff) and by
``python -m bot handoff-retry``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Dict, List, Optional
from urllib.parse import urlsplit

from sqlalchemy import Column, DateTime, Integer, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base, sessionmaker

from bot.clinic.contact_form import Contact
from bot.http_json import request_json
from bot.settings import load_settings

logger = logging.getLogger(__name__)

Base = declarative_base()

PENDING = "pending"
SENT = "sent"
REASONS = ("request_human", "book_consultation")
SIGNATURE_HEADER = "X-Clinic-Signature-256"
MAX_RETRY_DELAY_S = 3600.0


class HandoffRequest(Base):
    """A visitor's request to be contacted by the clinic."""

    __tablename__ = "handoff_requests"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime(timezone=True), nullable=False)
    conversation_id = Column(String(255), nullable=False)
    reason = Column(String(40), nullable=False)
    name = Column(String(100), nullable=False)
    contact = Column(String(254), nullable=False)
    contact_kind = Column(String(10), nullable=False)
    status = Column(String(10), nullable=False, default=PENDING, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text)
    sent_at = Column(DateTime(timezone=True))

    def payload(self) -> Dict[str, object]:
        """The JSON body sent to the clinic's webhook (times in UTC, whatever the database)."""
        created_at = self.created_at if self.created_at.tzinfo else self.created_at.replace(tzinfo=timezone.utc)
        return {
            "id": self.id,
            "created_at": created_at.astimezone(timezone.utc).isoformat(),
            "conversation_id": self.conversation_id,
            "reason": self.reason,
            "name": self.name,
            "contact": self.contact,
            "contact_kind": self.contact_kind,
        }


# -- storage and notification -----------------------------------------------------------------


def create_tables(engine: Engine) -> None:
    """Create the ``handoff_requests`` table if it does not exist."""
    Base.metadata.create_all(engine)


def store_request(
    sessions: sessionmaker, conversation_id: str, reason: str, name: str, contact: Contact
) -> HandoffRequest:
    """Store a new pending request and return it."""
    request = HandoffRequest(
        created_at=datetime.now(timezone.utc),
        conversation_id=conversation_id,
        reason=reason,
        name=name,
        contact=contact.value,
        contact_kind=contact.kind,
        status=PENDING,
        attempts=0,
    )
    with sessions() as session, session.begin():
        session.add(request)
    return request


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try to reach the webhook."""

    attempts: int = 3
    timeout: float = 2.0
    backoff: float = 0.5  # seconds before the 2nd attempt, doubled each time


def signature(secret: str, body: bytes) -> str:
    """The value of ``X-Clinic-Signature-256`` for ``body``: ``sha256=`` and the HMAC-SHA256 in hex."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def webhook_url_problem(url: str) -> Optional[str]:
    """Why ``url`` may not receive visitors' details (None when it may): https, or http on loopback."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return None
        return "the webhook URL must be https:// (http:// only on loopback)"
    return "the webhook URL must be an https:// URL"


def retry_delay(interval: float, failed_rounds: int) -> float:
    """Seconds before the next background retry: ``interval``, doubled per failed round, at most an hour."""
    return min(MAX_RETRY_DELAY_S, interval * 2 ** min(failed_rounds, 20))


def _post(url: str, body: bytes, secret: Optional[str], timeout: float) -> None:
    headers = {SIGNATURE_HEADER: signature(secret, body)} if secret else {}
    request_json("POST", url, body, headers=headers, timeout=timeout, follow_redirects=False)


def notify(
    sessions: sessionmaker,
    request_id: int,
    url: Optional[str],
    policy: RetryPolicy = RetryPolicy(),
    secret: Optional[str] = None,
) -> bool:
    """POST the request to the clinic's webhook (signed with ``secret``, by default
    ``CLINIC_WEBHOOK_SECRET``); mark it sent, or leave it pending with the error. Never raises."""
    if not url:
        return False
    if secret is None:
        secret = load_settings().clinic_webhook_secret
    try:
        with sessions() as session, session.begin():
            request = session.get(HandoffRequest, request_id)
            body = json.dumps(request.payload()).encode("utf-8")
    except Exception as exc:  # noqa: BLE001 (the database is down: the request stays pending)
        logger.warning("Handoff %s: could not be read for the webhook: %s", request_id, type(exc).__name__)
        return False
    if not secret:
        logger.warning("Handoff %s: CLINIC_WEBHOOK_SECRET is not set: the webhook body is not signed", request_id)
    error: Optional[str] = webhook_url_problem(url)
    tries = 0
    if error is None:
        for attempt in range(policy.attempts):
            if attempt:
                time.sleep(policy.backoff * 2 ** (attempt - 1))
            tries += 1
            try:
                _post(url, body, secret, policy.timeout)  # any 2xx answer will do; a 3xx is a failure
                error = None
                break
            except Exception as exc:  # noqa: BLE001 (every failure of an attempt is recorded, none escapes)
                error = str(exc) or type(exc).__name__
                logger.warning("Handoff %s: webhook attempt %d failed: %s", request_id, tries, error)
    else:
        logger.error("Handoff %s: not sent: %s", request_id, error)
    try:
        with sessions() as session, session.begin():
            request = session.get(HandoffRequest, request_id)
            request.attempts += tries
            request.last_error = error
            if error is None:
                request.status = SENT
                request.sent_at = datetime.now(timezone.utc)
    except Exception as exc:  # noqa: BLE001 (stays pending: sent again later, the clinic de-duplicates by id)
        logger.error("Handoff %s: could not record the webhook's outcome: %s", request_id, type(exc).__name__)
        return False
    return error is None


def pending_requests(sessions: sessionmaker) -> List[HandoffRequest]:
    """Requests whose notification has not gone through, oldest first."""
    with sessions() as session:
        statement = select(HandoffRequest).where(HandoffRequest.status == PENDING).order_by(HandoffRequest.id)
        return list(session.execute(statement).scalars())


def retry_pending(
    sessions: sessionmaker, url: Optional[str], policy: RetryPolicy = RetryPolicy(), secret: Optional[str] = None
) -> Dict[int, bool]:
    """Notify every pending request again; return whether each one went through."""
    return {request.id: notify(sessions, request.id, url, policy, secret) for request in pending_requests(sessions)}
