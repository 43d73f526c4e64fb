"""The website widget's channel: Rasa's socket.io channel, fixed, plus the widget's files.

Rasa 3.6.21's ``SocketIOInput`` calls ``sio.enter_room(sid, room)`` without ``await`` when
``session_persistence`` is on. With python-socketio 5.x ``AsyncServer.enter_room`` is a
coroutine, so the socket never joins its session's room: the coroutine is dropped ("was never
awaited") and replies sent to the session id reach nobody. ``PersistentSocketIOInput`` builds
the same handlers with the call awaited, makes blank messages safe as the REST channel does,
restricts the origins allowed to connect (``WIDGET_ALLOWED_ORIGINS``) and serves the widget's
static files from the Rasa server itself:

* ``/socket.io``                      socket.io endpoint (``name()`` stays ``"socketio"``)
* ``GET /widget/widget.js``           the widget (one script tag)
* ``GET /widget/widget.css``          its styles (loaded by widget.js)
* ``GET /widget/socket.io.min.js``    socket.io-client v4, vendored by ``make widget``
* ``GET /widget/demo.html``           a demo page
"""
from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import rasa.core.channels.channel
import rasa.shared.utils.io
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.settings import load_settings
from connectors.common import add_health_route, user_message

logger = logging.getLogger(__name__)

WIDGET_DIR = Path(__file__).resolve().parent.parent / "widget"

# URL name -> (file, content type). Nothing else under widget/ is ever served.
WIDGET_FILES: Dict[Text, tuple] = {
    "widget.js": ("widget.js", "application/javascript; charset=utf-8"),
    "widget.css": ("widget.css", "text/css; charset=utf-8"),
    "demo.html": ("demo.html", "text/html; charset=utf-8"),
    "socket.io.min.js": ("vendor/socket.io.min.js", "application/javascript; charset=utf-8"),
}


def allowed_origins() -> List[Text]:
    """Origins allowed to open a socket (``WIDGET_ALLOWED_ORIGINS``, see :mod:`bot.settings`)."""
    return load_settings().allowed_origins


class WidgetSocketBlueprint(SocketBlueprint):
    """Attaches the socket.io server and adds the ``/widget/<file>`` routes at the app root
    (channel blueprints are mounted under ``/webhooks/socketio``)."""

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        super().register(app, options)
        if not getattr(app.ctx, "meso_widget_routes", False):
            app.add_route(serve_widget_file, "/widget/<name>", methods=["GET"], name="meso_widget_file")
            app.ctx.meso_widget_routes = True


async def serve_widget_file(_: Request, name: Text) -> HTTPResponse:
    """One of the widget's files, from ``widget/`` (a fixed list, no path from the URL)."""
    known = WIDGET_FILES.get(name)
    if known is None:
        return response.text("Not found", status=404)
    path = WIDGET_DIR / known[0]
    if not path.is_file():
        hint = " Run `make widget` to vendor socket.io-client." if name == "socket.io.min.js" else ""
        return response.text(f"{name} is missing.{hint}", status=404)
    return await response.file(
        path, mime_type=known[1],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


class PersistentSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with session persistence that works on python-socketio 5."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The socket.io endpoint, as Rasa's, with ``enter_room`` awaited and blanks made safe."""
        origins = allowed_origins()
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=origins)
        socketio_webhook = WidgetSocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio  # used by get_output_channel
        logger.info(f"Widget socket.io channel accepts the origins {origins}")
        add_health_route(socketio_webhook)

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict]) -> bool:
            if self.jwt_key:
                jwt_payload = None
                if auth and auth.get("token"):
                    jwt_payload = rasa.core.channels.channel.decode_bearer_token(
                        auth.get("token"), self.jwt_key, self.jwt_algorithm
                    )
                if not jwt_payload:
                    return False
            logger.debug(f"User {sid} connected to socketIO endpoint.")
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text, *_: Any) -> None:
            logger.debug(f"User {sid} disconnected from socketIO endpoint.")

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict] = None) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not session_id.strip() or len(session_id) > 128:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                # The fix: enter_room is a coroutine on AsyncServer (python-socketio 5).
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            logger.debug(f"User {sid} started session {session_id}.")

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Optional[Dict] = None) -> None:
            data = data if isinstance(data, dict) else {}
            output_channel = SocketIOOutput(sio, self.bot_message_evt)
            if self.session_persistence:
                session_id = data.get("session_id")
                if not isinstance(session_id, str) or not session_id.strip():
                    rasa.shared.utils.io.raise_warning(
                        "A message without a valid session_id was received. This message will "
                        "be ignored. Make sure to set a proper session id using the "
                        "`session_request` socketIO event."
                    )
                    return
                sender_id = session_id
                # A socket that reconnected without a new session_request still gets replies.
                if session_id not in sio.rooms(sid, namespace=self.namespace):
                    await sio.enter_room(sid, session_id, namespace=self.namespace)
            else:
                sender_id = sid

            metadata = data.get(self.metadata_key, {})
            if isinstance(metadata, Text):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            text = data.get("message")
            await on_new_message(user_message(self, sender_id, text if isinstance(text, str) else None,
                                              output_channel, metadata))

        return socketio_webhook
