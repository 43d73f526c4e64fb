"""Phone numbers and email addresses masked in what people other than the visitor read: the
servers' logs (:func:`install_log_masking`, called by both servers' entry points) and the review
inbox (``bot/maintain/review/inbox_file.py``)."""

from __future__ import annotations

import logging
import re
from typing import Any

EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A run of digits with the usual separators; a phone number when it has 7 to 15 digits (is_phone).
PHONE_PATTERN = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]*\d(?!\w)")
MASKED_PHONE, MASKED_EMAIL = "<phone>", "<email>"
_TRACEBACKS = logging.Formatter()


def digits(text: str) -> str:
    """The digits of a phone number as dialled (``+44 (0)20 …``: the (0) only nationally)."""
    return re.sub(r"\D", "", text.replace("(0)", ""))


def is_phone(candidate: str) -> bool:
    """True when ``candidate`` has as many digits as a phone number (7 to 15)."""
    return 7 <= len(digits(candidate)) <= 15


def mask_contacts(text: str) -> str:
    """``text`` with email addresses replaced by ``<email>`` and phone numbers by ``<phone>``."""
    text = EMAIL_PATTERN.sub(MASKED_EMAIL, text)
    return PHONE_PATTERN.sub(lambda match: MASKED_PHONE if is_phone(match.group()) else match.group(), text)


def _masked_record_factory(original: Any) -> Any:
    """A log record factory: records made by ``original``, their message, traceback and stack masked."""

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = original(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 (arguments that do not fit the format: shown as they are)
            message = f"{record.msg} {record.args}"
        record.msg, record.args = mask_contacts(message), None
        if record.exc_info:
            record.exc_text = mask_contacts(_TRACEBACKS.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = mask_contacts(record.stack_info)
        return record

    make.masks_contacts = True  # type: ignore[attr-defined]
    return make


def install_log_masking() -> None:
    """Mask phone numbers and email addresses in every log record of this process, whatever
    logger, handler or level (Rasa, Sanic, socket.io, ours), from now on; once per process."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "masks_contacts", False):
        logging.setLogRecordFactory(_masked_record_factory(factory))
