"""Ask the Rasa server's NLU about the parts of a multi-part message (``POST /model/parse``).

The action server knows no NLU model of its own: the parts are classified by the model the Rasa
server has live, through its HTTP API and token (both from :mod:`bot.settings`). When the server
cannot be asked, the message is answered as one question.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

import aiohttp

from bot.settings import load_settings

logger = logging.getLogger(__name__)
PARSE_TIMEOUT_SECONDS = 5.0


async def parse_texts(texts: List[str]) -> List[Dict[str, Any]]:
    """The Rasa server's parse of each text, in order; empty when the server cannot be asked."""
    token = load_settings().current_api_token()
    if not token:
        return []
    url = f"{load_settings().rasa_url}/model/parse"
    parsed = []
    try:
        timeout = aiohttp.ClientTimeout(total=PARSE_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for text in texts:
                async with session.post(url, params={"token": token}, json={"text": text}) as response:
                    response.raise_for_status()
                    parsed.append(await response.json())
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        logger.warning(
            "could not classify the parts of a multi-part message (%s): answering it whole", type(error).__name__
        )
        return []
    return parsed
