"""Messaging channels: on only when all their environment variables are set."""
from pathlib import Path

import pytest
import yaml

from bot import cli
from bot.clinic.channels import CHANNEL_VARIABLES, CHANNELS, build_credentials, write_credentials
from bot.settings import PROJECT_ROOT

STATIC = {"connectors.rest.GuardedRestInput": None}
ALL_SET = {
    "TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "tw-secret", "TWILIO_NUMBER": "+15005550006",
    "TELEGRAM_ACCESS_TOKEN": "123:abc", "TELEGRAM_SECRET_TOKEN": "tg-secret",
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.test/webhooks/telegram/webhook",
    "FACEBOOK_VERIFY": "fb-verify", "FACEBOOK_SECRET": "fb-secret", "FACEBOOK_PAGE_ACCESS_TOKEN": "fb-page",
    "SLACK_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "slack-secret",
}


def test_unset_variables_leave_every_channel_out() -> None:
    credentials = build_credentials(STATIC, {})
    assert credentials.channels == STATIC and credentials.enabled == [] and credentials.incomplete == {}


def test_set_variables_put_each_channel_in_with_rasas_keys() -> None:
    credentials = build_credentials(STATIC, ALL_SET)
    assert credentials.enabled == ["twilio", "telegram", "facebook", "slack"]
    assert credentials.channels == {
        **STATIC,
        "connectors.twilio.TwilioChannel": {"account_sid": "AC123", "auth_token": "tw-secret",
                                            "twilio_number": "+15005550006"},
        "connectors.telegram.TelegramChannel": {
            "access_token": "123:abc", "webhook_url": "https://bot.example.test/webhooks/telegram/webhook",
            "secret_token": "tg-secret"},
        "connectors.facebook.MessengerChannel": {"verify": "fb-verify", "secret": "fb-secret",
                                                 "page-access-token": "fb-page"},
        "connectors.slack.SlackChannel": {"slack_token": "xoxb-1", "slack_signing_secret": "slack-secret"},
    }


def test_optional_variables_are_added_only_when_set() -> None:
    environment = {**ALL_SET, "TWILIO_WHATSAPP_NUMBER": "whatsapp:+14155238886", "SLACK_CHANNEL": " ",
                   "TELEGRAM_API_URL": "http://127.0.0.1:8081"}
    channels = build_credentials(STATIC, environment).channels
    assert channels["connectors.twilio.TwilioChannel"]["whatsapp_number"] == "whatsapp:+14155238886"
    assert channels["connectors.telegram.TelegramChannel"]["api_url"] == "http://127.0.0.1:8081"
    assert "slack_channel" not in channels["connectors.slack.SlackChannel"]
    assert build_credentials(STATIC, {"TWILIO_WHATSAPP_NUMBER": "whatsapp:+1"}).channels == STATIC


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_one_channel_on_alone(channel: str) -> None:
    environment = {variable: ALL_SET[variable] for variable in CHANNELS[channel].required.values()}
    credentials = build_credentials(STATIC, environment)
    assert set(credentials.channels) == {*STATIC, CHANNELS[channel].connector}


REQUIRED_VARIABLES = [variable for spec in CHANNELS.values() for variable in spec.required.values()]


@pytest.mark.parametrize("variable", REQUIRED_VARIABLES)
def test_a_missing_or_blank_variable_leaves_its_channel_out_and_is_reported(variable: str) -> None:
    channel = next(name for name, spec in CHANNELS.items() if variable in spec.required.values())
    for environment in ({k: v for k, v in ALL_SET.items() if k != variable}, {**ALL_SET, variable: "  "}):
        credentials = build_credentials(STATIC, environment)
        assert CHANNELS[channel].connector not in credentials.channels
        assert credentials.incomplete == {channel: [variable]}
        assert len(credentials.enabled) == len(CHANNELS) - 1


def test_cli_writes_the_static_channels_plus_the_set_ones(tmp_path: Path, monkeypatch, capsys) -> None:
    for variable in CHANNEL_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("TELEGRAM_ACCESS_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", "tg-secret")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.test/webhooks/telegram/webhook")
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-1")  # signing secret unset: Slack stays off
    target = tmp_path / "var" / "credentials.yml"
    assert cli.main(["write-credentials", str(target)]) == 0
    written = yaml.safe_load(target.read_text())
    static = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text())
    assert written == {**static, "connectors.telegram.TelegramChannel": {
        "access_token": "123:abc", "webhook_url": "https://bot.example.test/webhooks/telegram/webhook",
        "secret_token": "tg-secret"}}
    assert target.stat().st_mode & 0o777 == 0o600
    assert "channel slack left out, unset: SLACK_SIGNING_SECRET" in capsys.readouterr().err


def test_written_file_replaces_an_older_one(tmp_path: Path) -> None:
    static_path = tmp_path / "credentials.yml"
    static_path.write_text("rest:\n")
    target = tmp_path / "out.yml"
    write_credentials(static_path, target, ALL_SET)
    write_credentials(static_path, target, {})
    assert yaml.safe_load(target.read_text()) == {"rest": None}
