"""Who may use the REST channel (connectors/rest.py, ``RestAccess``): open on loopback alone; behind a
reverse proxy (``MESO_PROXIES_COUNT``) it is public, so it needs the token or is off, as off loopback.
The servers' side of it is tests/test_rest_auth.py."""

from types import SimpleNamespace

from bot.settings import load_settings
from connectors.rest import RestAccess


def _request(authorization: str = "") -> SimpleNamespace:
    return SimpleNamespace(headers={"Authorization": authorization} if authorization else {})


def test_on_loopback_without_a_proxy_the_channel_is_open() -> None:
    access = RestAccess(load_settings({"RASA_INTERFACE": "127.0.0.1"}))
    assert access.refusal(_request()) is None


def test_behind_a_proxy_without_a_token_the_channel_is_off() -> None:
    access = RestAccess(load_settings({"RASA_INTERFACE": "127.0.0.1", "MESO_PROXIES_COUNT": "1"}))
    assert access.off
    assert access.refusal(_request()).status == 403
    assert "reverse proxy" in access.describe()


def test_behind_a_proxy_the_token_is_required() -> None:
    settings = load_settings({"RASA_INTERFACE": "127.0.0.1", "MESO_PROXIES_COUNT": "1", "MESO_REST_TOKEN": "s3cret"})
    access = RestAccess(settings)
    assert access.refusal(_request()).status == 401
    assert access.refusal(_request("Bearer wrong")).status == 401
    assert access.refusal(_request("Bearer s3cret")) is None
