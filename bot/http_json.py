"""JSON over HTTP with the standard library: one request, its status and its decoded answer.

The one HTTP client of the project's tools (the terminal chat, the handoff webhook, model
deployment, the benchmark). Every failure is an :class:`HttpJsonError`: the server could not be
reached (``status`` is None), answered an error status (``status`` and the start of its answer in
``detail``), or answered something that is not JSON when JSON was read. Its message does not
repeat the URL (it may hold a token): callers say which server they called.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping, Optional

DETAIL_CHARS = 500


class HttpJsonError(OSError):
    """A JSON exchange that failed (an ``OSError``, as the network errors it stands for)."""

    def __init__(self, message: str, status: Optional[int] = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status  # None: no answer at all
        self.detail = detail  # the start of the answer, or why there was none


@dataclass(frozen=True)
class JsonAnswer:
    """A 2xx answer: its status and body; :meth:`json` decodes the body."""

    status: int
    body: bytes

    def json(self, empty: Any = None) -> Any:
        """The decoded body, ``empty`` when there is none; :class:`HttpJsonError` when it is not JSON."""
        if not self.body.strip():
            return empty
        try:
            return json.loads(self.body)
        except ValueError as error:
            detail = self.body[:DETAIL_CHARS].decode(errors="replace")
            raise HttpJsonError(
                f"answered {self.status} with something that is not JSON: {detail}", self.status, detail
            ) from error


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is an answer, not a new request (it then fails as a non-2xx status)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_NO_REDIRECT_OPENER = urllib.request.build_opener(_NoRedirect)


def request_json(
    method: str,
    url: str,
    body: Any = None,
    headers: Optional[Mapping[str, str]] = None,
    timeout: float = 60.0,
    follow_redirects: bool = True,
) -> JsonAnswer:
    """``method url`` with ``body`` (when not None) as JSON (``bytes``: already encoded JSON, sent as
    they are); the answer, or :class:`HttpJsonError` when there is none or its status is not 2xx
    (a 3xx too with ``follow_redirects=False``)."""
    data = body if isinstance(body, bytes) else None if body is None else json.dumps(body).encode()
    sent = {"Content-Type": "application/json"} if data is not None else {}
    request = urllib.request.Request(url, data=data, headers={**sent, **(headers or {})}, method=method)
    open_url = urllib.request.urlopen if follow_redirects else _NO_REDIRECT_OPENER.open
    try:
        with open_url(request, timeout=timeout) as response:
            status, content = response.status, response.read()
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:DETAIL_CHARS]
        raise HttpJsonError(f"answered {error.code}: {detail}", error.code, detail) from error
    except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, dropped connections
        raise HttpJsonError(f"no answer: {error}", None, str(error)) from error
    if not 200 <= status < 300:
        detail = content[:DETAIL_CHARS].decode(errors="replace")
        raise HttpJsonError(f"answered {status}: {detail}", status, detail)
    return JsonAnswer(status, content)
