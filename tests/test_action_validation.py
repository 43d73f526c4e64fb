"""The action server's responses are checked as strictly as Rasa does, with a validator built once."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import EndpointConfig

import connectors  # noqa: F401  (installs the check, as the Rasa server does through credentials.yml)
from bot.maintain.endpoints import action_webhook
from bot.settings import load_settings
from connectors.action_validation import validate_action_result

ACTION = RemoteAction("action_answer", EndpointConfig(action_webhook(load_settings())))
VALID = {"events": [{"event": "slot", "name": "topic", "value": "safety"}],
         "responses": [{"text": "Mesotherapy is…", "buttons": [{"title": "Is it safe?", "payload": "/ask_safety"}]}]}


def test_rasa_uses_the_prebuilt_check() -> None:
    assert RemoteAction._validate_action_result is validate_action_result
    assert ACTION._validate_action_result(VALID) is True


@pytest.mark.parametrize("result", [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"events": [{"event": "slot"}], "responses": "not a list"},
])
def test_an_invalid_response_raises_rasas_error(result) -> None:
    with pytest.raises(jsonschema.ValidationError) as stock:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        ACTION._validate_action_result(result)
    assert ours.value.message.startswith(stock.value.message)
    assert "Failed to validate Action server response from API" in ours.value.message
