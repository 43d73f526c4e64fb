"""The REST channel, with blank messages made safe (``connectors.common.stand_in_for_blank``).

Rasa's intent classifier fails on a message with no characters at all, and the stock REST
channel then answers with silence. A blank message is passed on as the ``nlu_fallback``
intent instead, which the assistant answers by asking for a question.
"""
from __future__ import annotations

from typing import Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.request import Request

from connectors.common import stand_in_for_blank


class GuardedRestInput(RestInput):
    """``POST /webhooks/rest/webhook``, as Rasa's REST channel, never silent on blank text."""

    def _extract_message(self, req: Request) -> Optional[Text]:
        return stand_in_for_blank(super()._extract_message(req))
