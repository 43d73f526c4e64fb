"""The widget's socket.io channel (connectors/socketio.py), without a server or a browser."""
import asyncio

from bot.settings import load_settings
from connectors.socketio import PersistentSocketIOInput
from bot.answering.replies import BLANK_MESSAGE_STAND_IN


def _channel():
    channel = PersistentSocketIOInput.from_credentials(
        {"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered", "session_persistence": True}
    )
    received = []

    async def on_new_message(message):
        received.append(message)

    channel.blueprint(on_new_message)
    return channel, channel.sio.handlers["/"], received


def test_name_keeps_the_socketio_url():
    assert PersistentSocketIOInput.name() == "socketio"


def test_allowed_origins_default_to_the_demo_pages_own_origin():
    assert load_settings({}).allowed_origins == ["http://localhost:5005", "http://127.0.0.1:5005"]
    assert load_settings({"RASA_PORT": "5105"}).allowed_origins == ["http://localhost:5105", "http://127.0.0.1:5105"]
    origins = load_settings({"WIDGET_ALLOWED_ORIGINS": " https://clinic.example/ ,https://www.clinic.example,"})
    assert origins.allowed_origins == ["https://clinic.example", "https://www.clinic.example"]


def test_the_server_uses_the_allowed_origins(monkeypatch):
    monkeypatch.setenv("WIDGET_ALLOWED_ORIGINS", "https://clinic.example")
    channel, _, _ = _channel()
    assert channel.sio.eio.cors_allowed_origins == ["https://clinic.example"]


def test_session_request_joins_the_session_room():
    """Rasa 3.6.21 called enter_room without await: the socket never joined its session."""
    channel, handlers, _ = _channel()

    async def scenario():
        sid = await channel.sio.manager.connect("eio-1", "/")
        await handlers["session_request"](sid, {"session_id": "session-1"})
        return channel.sio.rooms(sid)

    assert "session-1" in asyncio.run(scenario())


def test_blank_message_becomes_the_fallback_payload():
    channel, handlers, received = _channel()

    async def scenario():
        sid = await channel.sio.manager.connect("eio-1", "/")
        for blank in ("", "   ", None):
            await handlers["user_uttered"](sid, {"message": blank, "session_id": "session-1"})

    asyncio.run(scenario())
    assert [m.text for m in received] == [BLANK_MESSAGE_STAND_IN] * 3
    assert {m.sender_id for m in received} == {"session-1"}


def test_message_without_session_is_ignored():
    _, handlers, received = _channel()
    asyncio.run(handlers["user_uttered"]("sid-1", {"message": "hi"}))
    assert received == []
