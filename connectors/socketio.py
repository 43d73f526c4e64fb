"""The website widget's channel: Rasa's socket.io channel, fixed, plus the widget's files.

Rasa 3.6.21's ``SocketIOInput`` calls ``sio.enter_room(sid, room)`` without ``await`` when
``session_persistence`` is on. With python-socketio 5.x ``AsyncServer.enter_room`` is a
coroutine, so the socket never joins its session's room: the coroutine is dropped ("was never
awaited") and replies sent to the session id reach nobody. ``PersistentSocketIOInput`` builds
the same handlers with the call awaited, makes blank messages safe as the REST channel does,
restricts the origins allowed to connect (``WIDGET_ALLOWED_ORIGINS``) and serves the widget's
static files from the Rasa server itself.

Session ids are issued by the server and signed (``SessionSigner``: ``<id>.<HMAC-SHA256>`` with
``WIDGET_SESSION_SECRET``, or a random secret generated at the first start into
``var/widget-session-secret``, mode 0600, and kept). ``session_request`` keeps a session only when its id is
signed by us, and every ``user_uttered`` is checked: an unsigned or forged id gets a new session
(``session_confirm`` with the new id; the widget then drops the old history). The conversation is
``web:<id>``, so a widget client cannot address another channel's conversations. Messages go
through ``connectors.common.answer`` (text capped, rate limits per conversation and per address,
the trouble message on failures); socket.io messages are limited to ``MESO_MAX_REQUEST_BYTES``.


* ``/socket.io``                      socket.io endpoint (``name()`` stays ``"socketio"``)
* ``GET /widget/widget.js``           the widget (one script tag)
* ``GET /widget/widget.css``          its styles (loaded by widget.js)
* ``GET /widget/socket.io.min.js``    socket.io-client v4, vendored by ``make widget``
* ``GET /widget/demo.html``           a demo page
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import rasa.core.channels.channel
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.settings import Settings, load_settings
from connectors.common import add_health_route, answer, client_address, conversation_id

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


class SessionSigner:
    """Issues and checks the widget's session ids: ``<random id>.<HMAC-SHA256 of it>``."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    @classmethod
    def from_settings(cls, settings: Settings) -> "SessionSigner":
        """``WIDGET_SESSION_SECRET``, or the random secret in ``var/widget-session-secret`` (mode 0600),
        written at the first start and kept, so that a restart does not end every widget conversation
        (delete the file to end them all)."""
        if settings.widget_session_secret:
            return cls(settings.widget_session_secret.encode("utf-8"))
        path = settings.var_dir / f"widget-session-secret{settings.instance_suffix}"
        try:
            if path.stat().st_mode & 0o077 == 0:  # only a file nobody else can read is trusted
                kept = path.read_text(encoding="utf-8").strip()
                if len(kept) >= 32:
                    return cls(kept.encode("utf-8"))
        except OSError:
            pass
        secret = secrets.token_hex(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secret + "\n")
        os.chmod(path, 0o600)
        return cls(secret.encode("utf-8"))

    def _signature(self, session: Text) -> Text:
        return hmac.new(self.secret, session.encode("utf-8"), hashlib.sha256).hexdigest()

    def issue(self) -> Text:
        """A new signed session id."""
        session = secrets.token_hex(16)
        return f"{session}.{self._signature(session)}"

    def verify(self, signed: Any) -> Optional[Text]:
        """The session of a signed id we issued, or None (unsigned, forged, malformed)."""
        if not isinstance(signed, str) or len(signed) > 200 or signed.count(".") != 1:
            return None
        session, signature = signed.split(".")
        if not session or not hmac.compare_digest(signature, self._signature(session)):
            return None
        return session


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
        path,
        mime_type=known[1],
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
        """The socket.io endpoint, as Rasa's, with ``enter_room`` awaited, signed sessions and the
        common message handling."""
        settings = load_settings()
        origins = settings.allowed_origins
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=origins, max_http_buffer_size=settings.max_request_bytes
        )
        socketio_webhook = WidgetSocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio  # used by get_output_channel
        self.signer = SessionSigner.from_settings(settings)
        addresses: Dict[Text, Text] = {}  # socket id -> the visitor's address (rate limits)
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
            request = environ.get("sanic.request") if isinstance(environ, dict) else None
            addresses[sid] = client_address(request) if request is not None else ""
            logger.debug(f"User {sid} connected to socketIO endpoint.")
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text, *_: Any) -> None:
            addresses.pop(sid, None)
            logger.debug(f"User {sid} disconnected from socketIO endpoint.")

        async def confirm(sid: Text, signed: Text) -> Text:
            """Join the session's room and tell the widget its (signed) session id."""
            room = conversation_id("web", signed.split(".")[0])
            if self.session_persistence:
                # The fix: enter_room is a coroutine on AsyncServer (python-socketio 5).
                await sio.enter_room(sid, room, namespace=self.namespace)
            await sio.emit("session_confirm", signed, room=sid, namespace=self.namespace)
            return room

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict] = None) -> None:
            data = data if isinstance(data, dict) else {}
            requested = data.get("session_id")
            # An unsigned or forged id: a new conversation.
            signed = requested if isinstance(requested, str) and self.signer.verify(requested) else self.signer.issue()
            await confirm(sid, signed)
            logger.debug(f"User {sid} started a session.")

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Optional[Dict] = None) -> None:
            data = data if isinstance(data, dict) else {}
            output_channel = SocketIOOutput(sio, self.bot_message_evt)
            if self.session_persistence:
                signed = data.get("session_id")
                session = self.signer.verify(signed)
                if session is None:  # unsigned or forged: answered in a new conversation
                    signed = self.signer.issue()
                    sender_id = await confirm(sid, signed)
                else:
                    sender_id = conversation_id("web", session)
                    # A socket that reconnected without a new session_request still gets replies.
                    if sender_id not in sio.rooms(sid, namespace=self.namespace):
                        await sio.enter_room(sid, sender_id, namespace=self.namespace)
            else:
                sender_id = conversation_id("web", sid)
                if sender_id not in sio.rooms(sid, namespace=self.namespace):
                    await sio.enter_room(sid, sender_id, namespace=self.namespace)

            metadata = data.get(self.metadata_key, {})
            if isinstance(metadata, Text):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            text = data.get("message")
            await answer(
                on_new_message,
                self,
                sender_id,
                text if isinstance(text, str) else None,
                output_channel,
                metadata,
                address=addresses.get(sid),
            )

        return socketio_webhook
