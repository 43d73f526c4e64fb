"""Extensions of Rasa itself (channels, tracker store), kept apart from the domain library ``bot``.

The Rasa server imports this package for the channels listed in credentials.yml; importing it
also speeds up Rasa's check of the action server's responses (see ``action_validation``) and
answers every failure of the action server with a short "I'm having trouble" message instead of
silence (see ``faults``), and reads a visitor's ``/intent{…}`` as text unless it is the payload of
a button the bot offered (see ``payloads``). Per-message cost stays flat however long the
conversation: dialogue states are built incrementally (see ``dialogue_states``) and the action
server gets the recent events only (see ``action_events``), with the shared secret when one is
set (see ``action_auth``); tracker copies do not replay the conversation, nor are its states
formatted for a log line that is not written (see ``tracker_copy``); the RulePolicy checks only as
many states as its rules have (see ``rule_policy``).
"""

from connectors import (
    action_auth,
    action_events,
    action_validation,
    dialogue_states,
    faults,
    payloads,
    rule_policy,
    tracker_copy,
)

action_auth.install()
action_validation.install()
faults.install()
payloads.install()
dialogue_states.install()
action_events.install()
tracker_copy.install()
rule_policy.install()
