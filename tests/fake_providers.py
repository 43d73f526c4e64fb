"""A local HTTP server standing in for the messaging providers' APIs (unreachable from here).

The Rasa server's channels are pointed at it with ``*_API_URL`` (``http://127.0.0.1:PORT/<provider>``)
and send it exactly the requests they would send to Twilio, Telegram, Facebook's Graph API and
Slack. It records each request (path, headers, decoded body) and answers as the provider does,
with just the fields the client libraries read.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit


@dataclass
class ProviderCall:
    """One request a channel sent to a provider's API."""

    provider: str  # "twilio", "telegram", "facebook" or "slack"
    path: str  # after the provider prefix, e.g. "/me/messages"
    query: Dict[str, str]
    headers: Dict[str, str]
    body: Any  # dict from a form or JSON body

    @property
    def method(self) -> str:
        """The API method: the last path segment ("sendMessage", "chat.postMessage", "Messages.json")."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]


def _flat(query: str) -> Dict[str, str]:
    return {key: values[0] for key, values in parse_qs(query, keep_blank_values=True).items()}


class FakeProviders:
    """Start with ``with FakeProviders() as providers:``; read ``providers.calls``."""

    def __init__(self) -> None:
        self.calls: List[ProviderCall] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeProviders":
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def url(self, provider: str) -> str:
        """The API base URL to give a channel."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/{provider}"

    def wait_for(self, predicate: Callable[[ProviderCall], bool], count: int = 1,
                 timeout: float = 60, settle: float = 1.0) -> List[ProviderCall]:
        """The calls matching ``predicate`` once at least ``count`` came and none for ``settle`` s."""
        deadline = time.monotonic() + timeout
        seen: List[ProviderCall] = []
        last_change = time.monotonic()
        while time.monotonic() < deadline:
            with self._lock:
                matching = [call for call in self.calls if predicate(call)]
            if len(matching) != len(seen):
                seen, last_change = matching, time.monotonic()
            if len(seen) >= count and time.monotonic() - last_change >= settle:
                return seen
            time.sleep(0.05)
        raise AssertionError(f"expected {count} provider call(s), got {len(seen)}: {seen}")

    def matching(self, predicate: Callable[[ProviderCall], bool]) -> List[ProviderCall]:
        """The calls received so far that match ``predicate``."""
        with self._lock:
            return [call for call in self.calls if predicate(call)]

    def _record(self, call: ProviderCall) -> Tuple[int, Dict[str, Any]]:
        with self._lock:
            self.calls.append(call)
        return self._answer(call, next(self._ids))

    @staticmethod
    def _answer(call: ProviderCall, number: int) -> Tuple[int, Dict[str, Any]]:
        """The provider's answer to a successful call."""
        if call.provider == "twilio":
            return 201, {"sid": f"SM{number:032d}", "status": "queued", "body": call.body.get("Body"),
                         "to": call.body.get("To"), "from": call.body.get("From")}
        if call.provider == "telegram":
            if call.method.lower() == "sendmessage":
                chat = {"id": int(call.body["chat_id"]), "type": "private"}
                return 200, {"ok": True, "result": {"message_id": number, "date": int(time.time()), "chat": chat,
                                                    "text": call.body.get("text")}}
            return 200, {"ok": True, "result": True}
        if call.provider == "facebook":
            return 200, {"recipient_id": (call.body.get("recipient") or {}).get("id"), "message_id": f"m_{number}"}
        return 200, {"ok": True, "channel": call.body.get("channel"), "ts": f"1700000000.{number:06d}"}

    def _handler_class(self) -> type:
        providers = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                provider, _, rest = parts.path.lstrip("/").partition("/")
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                content_type = self.headers.get("Content-Type", "")
                body: Optional[Any] = json.loads(raw or b"{}") if "json" in content_type else _flat(raw.decode())
                call = ProviderCall(provider, "/" + rest, _flat(parts.query), dict(self.headers.items()), body)
                status, answer = providers._record(call)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

            def log_message(self, *_: Any) -> None:
                pass

        return Handler
