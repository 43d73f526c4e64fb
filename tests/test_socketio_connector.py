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


def _confirmed(channel, sid):
    """The session ids the server sent to socket ``sid`` (session_confirm), in order."""
    return [args[1] for args in channel.emitted if args[0] == "session_confirm" and args[2] == sid]


def _recording(channel):
    channel.emitted = []

    async def emit(event, data=None, room=None, **_):
        channel.emitted.append((event, data, room))

    channel.sio.emit = emit
    return channel


def test_session_request_issues_a_signed_session_and_joins_its_room():
    """Rasa 3.6.21 called enter_room without await: the socket never joined its session."""
    channel, handlers, _ = _channel()
    _recording(channel)

    async def scenario():
        sid = await channel.sio.manager.connect("eio-1", "/")
        await handlers["session_request"](sid, {"session_id": None})
        return sid, channel.sio.rooms(sid)

    sid, rooms = asyncio.run(scenario())
    [signed] = _confirmed(channel, sid)
    session = channel.signer.verify(signed)
    assert session and f"web:{session}" in rooms


def test_a_signed_session_is_kept_and_unsigned_or_forged_ones_are_replaced():
    channel, handlers, _ = _channel()
    _recording(channel)
    signed = channel.signer.issue()
    forged = signed.split(".")[0] + "." + "0" * 64

    async def scenario():
        sid = await channel.sio.manager.connect("eio-1", "/")
        for requested in (signed, "session-1", forged, None):
            await handlers["session_request"](sid, {"session_id": requested})
        return sid

    sid = asyncio.run(scenario())
    kept, *replaced = _confirmed(channel, sid)
    assert kept == signed
    assert len(replaced) == 3 and signed not in replaced and all(channel.signer.verify(new) for new in replaced)


def test_blank_message_becomes_the_fallback_payload():
    channel, handlers, received = _channel()
    signed = channel.signer.issue()

    async def scenario():
        sid = await channel.sio.manager.connect("eio-1", "/")
        for blank in ("", "   ", None):
            await handlers["user_uttered"](sid, {"message": blank, "session_id": signed})

    asyncio.run(scenario())
    assert [m.text for m in received] == [BLANK_MESSAGE_STAND_IN] * 3
    assert {m.sender_id for m in received} == {f"web:{signed.split('.')[0]}"}


def test_a_message_with_an_unsigned_session_starts_a_new_conversation():
    channel, handlers, received = _channel()
    _recording(channel)

    async def scenario():
        sid = await channel.sio.manager.connect("eio-1", "/")
        await handlers["user_uttered"](sid, {"message": "hi", "session_id": "rest:someone"})
        return sid

    sid = asyncio.run(scenario())
    [new] = _confirmed(channel, sid)
    assert [m.sender_id for m in received] == [f"web:{channel.signer.verify(new)}"]


def test_a_long_message_is_cut_and_the_visitor_told():
    channel, handlers, received = _channel()
    _recording(channel)
    signed = channel.signer.issue()

    async def scenario():
        sid = await channel.sio.manager.connect("eio-1", "/")
        await handlers["user_uttered"](sid, {"message": "a" * 5000, "session_id": signed})

    asyncio.run(scenario())
    assert [len(m.text) for m in received] == [load_settings().max_message_chars]
    notes = [data for event, data, _ in channel.emitted if event == "bot_uttered"]
    assert len(notes) == 1 and "first 1000 characters" in notes[0]["text"]


def test_the_generated_session_secret_is_private_and_kept_across_starts(tmp_path):
    from connectors.socketio import SessionSigner

    settings = load_settings({"MESO_VAR_DIR": str(tmp_path)})
    first = SessionSigner.from_settings(settings)
    path = tmp_path / "widget-session-secret"
    assert path.stat().st_mode & 0o777 == 0o600
    signed = first.issue()
    assert SessionSigner.from_settings(settings).verify(signed)  # a restart keeps the conversations
    path.chmod(0o644)  # readable by others: not trusted, replaced
    assert not SessionSigner.from_settings(settings).verify(signed)
    assert path.stat().st_mode & 0o777 == 0o600
    assert SessionSigner.from_settings(load_settings({"WIDGET_SESSION_SECRET": "s" * 40})).verify(signed) is None
