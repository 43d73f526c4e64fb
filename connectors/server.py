"""The Rasa server: ``python -m connectors.server --model … --endpoints … --credentials …``.

The same as ``rasa run --enable-api --auth-token=…`` with the other arguments given, except that
the API token never appears on a command line (any local user can read those with ``ps``): it is
read here from ``RASA_AUTH_TOKEN`` or from the token file (``RASA_AUTH_TOKEN_FILE``, mode 0600,
written by ``scripts/serve.sh``) and handed to Rasa's command line parser inside this process.
It also sets the largest request body Sanic accepts (``MESO_MAX_REQUEST_BYTES``; Sanic's default
is 100 MB), as ``SANIC_REQUEST_MAX_SIZE`` for the app Rasa creates. The address it listens on
(``--interface``, else ``RASA_INTERFACE``) is given to Rasa and to the channels as
``RASA_INTERFACE``: off loopback the REST channel requires its token (``connectors/rest.py``).
Every file it writes is readable by its user only (umask 077), and phone numbers and email
addresses are masked in its log (``bot/masking.py``).
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional, Sequence

from bot.masking import install_log_masking
from bot.settings import Settings, load_settings


class NoToken(RuntimeError):
    """Neither RASA_AUTH_TOKEN nor the token file holds a token."""


def api_token(settings: Settings) -> str:
    """``RASA_AUTH_TOKEN``, else the token file's content."""
    token = settings.current_api_token()
    if not token:
        raise NoToken(f"no API token: set RASA_AUTH_TOKEN or write one to {settings.api_token_file} (mode 0600)")
    return token


def rasa_arguments(arguments: Sequence[str], token: str) -> List[str]:
    """``rasa run`` with ``arguments``, the HTTP API on and its token (one word: it may start with "-")."""
    if any(argument.startswith("--auth-token") for argument in arguments):
        raise ValueError("the token is read from RASA_AUTH_TOKEN or the token file, never from the command line")
    return ["rasa", "run", *arguments, "--enable-api", f"--auth-token={token}"]


def interface_argument(arguments: Sequence[str]) -> Optional[str]:
    """The ``--interface``/``-i`` given to ``rasa run`` (None: none given)."""
    for position, argument in enumerate(arguments):
        if argument in ("-i", "--interface") and position + 1 < len(arguments):
            return arguments[position + 1]
        if argument.startswith("--interface="):
            return argument.partition("=")[2]
    return None


def main(arguments: Optional[Sequence[str]] = None) -> int:
    os.umask(0o077)  # logs, conversations and generated files readable by this user only
    install_log_masking()
    settings = load_settings()
    try:
        token = api_token(settings)
    except NoToken as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    os.environ["SANIC_REQUEST_MAX_SIZE"] = str(settings.max_request_bytes)
    from rasa.__main__ import main as rasa_main

    arguments = list(sys.argv[1:] if arguments is None else arguments)
    interface = interface_argument(arguments)
    if interface is None:  # Rasa's own default would be 0.0.0.0: the settings' instead
        interface = settings.rasa_interface
        arguments += ["--interface", interface]
    os.environ["RASA_INTERFACE"] = interface  # what the channels read (the REST channel's access)
    sys.argv = rasa_arguments(arguments, token)
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
