"""The shared secret on every call to the action server.

When ``ACTION_SERVER_SECRET`` is set, each custom action's call carries it in the
``X-Action-Secret`` header (``bot.settings.ACTION_SECRET_HEADER``), which the action server
(``actions/server.py``) checks. A header rather than Rasa's ``token`` endpoint option: that one
is a query parameter, which ends up in access logs, and it cannot be left out of the endpoints
files when no secret is set (Rasa fails on an unset ``${VARIABLE}``). ``install`` wraps
``RemoteAction.__init__``, through which every custom action, form validation and slot
extraction reaches the action server.
"""

from __future__ import annotations

from typing import Any, Optional, Text

from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.settings import ACTION_SECRET_HEADER, load_settings

_original_init = RemoteAction.__init__


def with_secret(endpoint: Optional[EndpointConfig], secret: Optional[Text]) -> Optional[EndpointConfig]:
    """``endpoint`` whose requests carry ``secret`` in the action-secret header (unchanged without one)."""
    if endpoint is not None and secret and endpoint.headers.get(ACTION_SECRET_HEADER) != secret:
        endpoint.headers = {**endpoint.headers, ACTION_SECRET_HEADER: secret}
    return endpoint


def init_with_secret(self: RemoteAction, name: Text, action_endpoint: Optional[EndpointConfig], **kwargs: Any) -> None:
    """Rasa's ``RemoteAction.__init__``, its endpoint sending ``ACTION_SERVER_SECRET``."""
    _original_init(self, name, with_secret(action_endpoint, _secret), **kwargs)


_secret: Optional[Text] = None  # read once by install(): a RemoteAction is built for every action predicted


def install() -> None:
    """Send ``ACTION_SERVER_SECRET`` (when set) with every call to the action server."""
    global _secret
    _secret = load_settings().action_server_secret
    if RemoteAction.__init__ is not init_with_secret:
        RemoteAction.__init__ = init_with_secret
