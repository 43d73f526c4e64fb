"""Check the action server's responses with a validator built once, not once per message.

Rasa 3.6.21 checks every custom-action response with ``jsonschema.validate(result, spec)``,
which first re-checks the constant ``spec`` itself: a profile of the Rasa server
(``make benchmark``, py-spy) put 37.6% of each message's time there (28.8 ms a call against
0.29 ms with a prebuilt validator). ``RemoteAction._validate_action_result`` is replaced by the
same checks with the same error message. It is applied only to the Rasa version it was written
for; any other version keeps Rasa's own method (and logs why).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Text

import rasa
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

logger = logging.getLogger(__name__)

FOR_RASA_VERSION = "3.6.21"
_SPEC = RemoteAction.action_response_format_spec()
_VALIDATOR = validator_for(_SPEC)(_SPEC)


def validate_action_result(action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Raise Rasa's ``ValidationError`` when ``result`` is not a valid action-server response."""
    error: ValidationError = best_match(_VALIDATOR.iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> bool:
    """Use the prebuilt validator in Rasa's ``RemoteAction``; False when Rasa is another version."""
    if rasa.__version__ != FOR_RASA_VERSION:
        logger.warning(
            "Rasa %s is not %s: the action-response check stays Rasa's own (slower) one",
            rasa.__version__,
            FOR_RASA_VERSION,
        )
        return False
    RemoteAction._validate_action_result = validate_action_result
    return True
