"""The one settings object: every setting the project has, read from environment variables.

Nothing else reads the environment for settings: Python modules call :func:`load_settings`
(or :func:`load_clinic`), and ``scripts/serve.sh`` asks ``python -m bot settings --shell``.
Each field names its variable and says what it is for; the README's settings table is checked
against these fields by ``tests/test_settings.py``.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.clinic.channels import CHANNEL_VARIABLES
from bot.clinic.profile import DEFAULT_EMERGENCY_NUMBER, DEFAULT_NAME, Clinic

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The header in which the Rasa server sends ACTION_SERVER_SECRET to the action server.
ACTION_SECRET_HEADER = "X-Action-Secret"


def _setting(variable: str, default: Any, help: str) -> Any:
    return field(default=default, metadata={"variable": variable, "help": help})


@dataclass(frozen=True)
class Settings:
    """Paths, addresses and thresholds; each field's metadata names its environment variable."""

    database_url: str = _setting(
        "MESO_DATABASE_URL", "", "knowledge base and handoff requests (SQLAlchemy URL); default a SQLite file in var/"
    )
    guide_dir: Path = _setting("MESO_GUIDE_DIR", PROJECT_ROOT / "data" / "guide", "folder of the guide files")
    topics_path: Path = _setting(
        "MESO_TOPICS",
        PROJECT_ROOT / "data" / "topics.yml",
        "the intent table: topics, their guide sections, buttons, safety flags",
    )
    nlu_dir: Path = _setting("MESO_NLU_DIR", PROJECT_ROOT / "data" / "nlu", "NLU training examples")
    red_flag_examples_path: Path = _setting(
        "MESO_RED_FLAG_EXAMPLES",
        PROJECT_ROOT / "data" / "safety" / "red_flags.yml",
        "visitor messages labelled red flag or not, for the red-flag classifier",
    )
    vocabulary_path: Path = _setting(
        "MESO_VOCABULARY", PROJECT_ROOT / "data" / "vocabulary.yml", "entity vocabulary of our spaCy pipeline"
    )
    spacy_model_dir: Path = _setting(
        "MESO_SPACY_MODEL",
        PROJECT_ROOT / "build" / "spacy" / "mesotherapy_en",
        "where our spaCy pipeline is built (config.yml must name the same path)",
    )
    model_path: Path = _setting("MODEL", PROJECT_ROOT / "models" / "mesotherapy.tar.gz", "the trained Rasa model")
    endpoints_path: Path = _setting("ENDPOINTS", PROJECT_ROOT / "endpoints.yml", "Rasa's endpoints file")
    credentials_path: Optional[Path] = _setting(
        "CREDENTIALS",
        None,
        "Rasa's credentials file; default one generated in var/ from credentials.yml and the channel variables",
    )
    rasa_interface: str = _setting("RASA_INTERFACE", "127.0.0.1", "address the Rasa server listens on")
    rasa_port: int = _setting("RASA_PORT", 5005, "port of the Rasa server (channels, widget, HTTP API)")
    action_interface: str = _setting("ACTION_INTERFACE", "127.0.0.1", "address the action server listens on")
    action_port: int = _setting("ACTION_PORT", 5055, "port of the action server")
    evaluation_action_port: int = _setting(
        "EVALUATION_ACTION_PORT",
        5255,
        "action server port of `make evaluate` (not ACTION_PORT, so a running `make run` does not get in the way)",
    )
    api_token: Optional[str] = _setting(
        "RASA_AUTH_TOKEN", None, "token of Rasa's HTTP API; default a random one written to the token file"
    )
    api_token_file: Path = _setting(
        "RASA_AUTH_TOKEN_FILE",
        PROJECT_ROOT / "var" / "rasa-api-token",
        "file (mode 0600) holding the generated API token",
    )
    rest_token: Optional[str] = _setting(
        "MESO_REST_TOKEN",
        None,
        "token the REST channel requires (Authorization: Bearer) when the Rasa server listens off loopback "
        "or sits behind a proxy (MESO_PROXIES_COUNT > 0); without one (nor the token file) REST is off there",
    )
    rest_token_file: Path = _setting(
        "MESO_REST_TOKEN_FILE",
        PROJECT_ROOT / "var" / "rest-token",
        "file (mode 0600) holding the REST token, read when MESO_REST_TOKEN is unset",
    )
    action_server_secret: Optional[str] = _setting(
        "ACTION_SERVER_SECRET",
        None,
        "secret shared by the Rasa server and the action server (X-Action-Secret header); "
        "required when the action server listens off loopback",
    )
    widget_allowed_origins: Tuple[str, ...] = _setting(
        "WIDGET_ALLOWED_ORIGINS",
        (),
        "origins allowed to open the widget's socket, comma-separated; default the demo page's",
    )
    intent_f1_floor: float = _setting(
        "MESO_INTENT_F1_FLOOR", 0.90, "minimum held-out macro intent F1 of `make test` and `make evaluate`"
    )
    real_topic_floor: float = _setting(
        "MESO_REAL_TOPIC_FLOOR",
        0.77,
        "minimum topic accuracy on the real "
        "visitors' questions (`make evaluate-real`); the goal is 0.90, not reached yet",
    )
    real_safety_line_floor: float = _setting(
        "MESO_REAL_SAFETY_LINE_FLOOR",
        1.0,
        "minimum share of real safety questions answered with the licensed-professional line (`make evaluate-real`)",
    )
    real_off_topic_floor: float = _setting(
        "MESO_REAL_OFF_TOPIC_FLOOR",
        0.90,
        "minimum share of real off-topic questions answered without guide content (`make evaluate-real`); "
        "the goal is 0.90",
    )
    action_timeout: float = _setting(
        "ACTION_TIMEOUT",
        15.0,
        "seconds the Rasa server waits for the action server; "
        "after that (or any action-server failure) the visitor is told to try again",
    )
    clinic_webhook_secret: Optional[str] = _setting(
        "CLINIC_WEBHOOK_SECRET",
        None,
        "key of the HMAC-SHA256 signature of each handoff webhook body (X-Clinic-Signature-256)",
    )
    handoff_retry_interval: float = _setting(
        "HANDOFF_RETRY_INTERVAL",
        30.0,
        "seconds between the action server's "
        "retries of pending handoff requests (doubled after a failed round, up to 1 h)",
    )
    max_message_chars: int = _setting(
        "MESO_MAX_MESSAGE_CHARS",
        1000,
        "longest visitor message passed to the NLU; the rest is dropped and the visitor told so",
    )
    max_request_bytes: int = _setting(
        "MESO_MAX_REQUEST_BYTES",
        2_000_000,
        "largest request body and socket.io message the Rasa server accepts (larger: HTTP 413 / dropped)",
    )
    address_rate_limit: int = _setting(
        "MESO_ADDRESS_RATE_LIMIT",
        120,
        "messages per minute from one address "
        "(bursts of a third of it); more get a polite refusal (HTTP 429 on REST); 0: none",
    )
    conversation_rate_limit: int = _setting(
        "MESO_CONVERSATION_RATE_LIMIT", 30, "messages per minute in one conversation (bursts of a third of it); 0: none"
    )
    rate_limit_exempt: Tuple[str, ...] = _setting(
        "MESO_RATE_LIMIT_EXEMPT",
        ("127.0.0.1", "::1"),
        "addresses without rate limits, comma-separated (the machine's own tools)",
    )
    proxies_count: int = _setting(
        "MESO_PROXIES_COUNT",
        0,
        "reverse proxies in front of the Rasa server whose "
        "X-Forwarded-For is trusted for the visitor's address (rate limits)",
    )
    widget_session_secret: Optional[str] = _setting(
        "WIDGET_SESSION_SECRET",
        None,
        "key signing the widget's "
        "session ids; default a random one generated at the first "
        "start into var/ (mode 0600) and kept",
    )
    retention_days: int = _setting(
        "MESO_RETENTION_DAYS",
        30,
        "days conversations (tracker events) and handoff "
        "requests are kept; `python -m bot apply-retention` deletes older ones",
    )
    retention_interval_hours: float = _setting(
        "MESO_RETENTION_INTERVAL_HOURS",
        24.0,
        "the action server applies the retention period at its start and then every this many hours "
        "(0: never; run `python -m bot apply-retention` yourself)",
    )
    test_postgres_admin_url: str = _setting(
        "MESO_TEST_POSTGRES_URL",
        "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres",
        "PostgreSQL server where the tests and `bench` create throwaway databases",
    )
    var_dir: Path = _setting("MESO_VAR_DIR", PROJECT_ROOT / "var", "databases, logs and generated files")
    cluster_replicas: int = _setting("REPLICAS", 2, "Rasa replicas behind nginx in `make cluster` (deploy/cluster.sh)")
    cluster_listen: str = _setting(
        "CLUSTER_LISTEN",
        "127.0.0.1:5780",
        "address:port of nginx, the cluster's one public address (a real host: 443 with TLS)",
    )
    cluster_server_name: str = _setting("CLUSTER_SERVER_NAME", "localhost", "nginx server_name: the public host name")
    cluster_rasa_port: int = _setting(
        "CLUSTER_RASA_PORT",
        5781,
        "port of the cluster's first Rasa replica on loopback; replica i listens on it + i - 1",
    )
    cluster_action_port: int = _setting("CLUSTER_ACTION_PORT", 5779, "port of the cluster's action server on loopback")
    tls_certificate: Optional[Path] = _setting(
        "TLS_CERTIFICATE",
        None,
        "certificate chain nginx serves (e.g. /etc/letsencrypt/live/HOST/fullchain.pem); unset: plain HTTP",
    )
    tls_certificate_key: Optional[Path] = _setting(
        "TLS_CERTIFICATE_KEY", None, "its private key (e.g. /etc/letsencrypt/live/HOST/privkey.pem)"
    )

    @property
    def allowed_origins(self) -> List[str]:
        """Origins allowed to open a widget socket: the configured ones, or the demo page's own."""
        if self.widget_allowed_origins:
            return list(self.widget_allowed_origins)
        return [f"http://localhost:{self.rasa_port}", f"http://127.0.0.1:{self.rasa_port}"]

    @property
    def instance_suffix(self) -> str:
        """Added to the names of a second instance's files (other ports: tests, the benchmark)."""
        default_port = next(item.default for item in fields(Settings) if item.name == "rasa_port")
        return "" if self.rasa_port == default_port else f".port-{self.rasa_port}"

    def current_api_token(self) -> Optional[str]:
        """The HTTP API's token: ``RASA_AUTH_TOKEN``, else the token file's content (None: neither)."""
        if self.api_token:
            return self.api_token
        try:
            return self.api_token_file.read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def current_rest_token(self) -> Optional[str]:
        """The REST channel's token: ``MESO_REST_TOKEN``, else the token file's content when only its
        owner may read it (None: neither)."""
        if self.rest_token:
            return self.rest_token
        try:
            if self.rest_token_file.stat().st_mode & 0o077:
                return None
            return self.rest_token_file.read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    @property
    def rasa_url(self) -> str:
        """The Rasa server's base URL: on loopback, unless it listens on one other address only."""
        host = self.rasa_interface
        if host in ("0.0.0.0", "::") or is_loopback(host):
            host = "127.0.0.1"
        return f"http://{f'[{host}]' if ':' in host else host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        """The action server's base URL on loopback."""
        return f"http://127.0.0.1:{self.action_port}"


def setting_variables() -> Dict[str, str]:
    """Each setting's environment variable and what it is for."""
    return {item.metadata["variable"]: item.metadata["help"] for item in fields(Settings)}


def _convert(value: str, item: "Field[Any]") -> Any:
    """``value`` as the type of the setting ``item`` (its annotation, a string here)."""
    name, kind = item.metadata["variable"], str(item.type)
    for number in (int, float):
        if kind == number.__name__:
            try:
                return number(value)
            except ValueError as error:
                raise ValueError(f"{name} must be a number ({kind}), not {value!r}") from error
    if kind.startswith("Tuple"):
        return tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())
    if "Path" in kind:
        path = Path(value)
        return path if path.is_absolute() else PROJECT_ROOT / path
    return value


def load_settings(environ: Optional[Mapping[str, str]] = None) -> Settings:
    """Read the settings from ``environ`` (the process environment by default); blank means default."""
    environ = os.environ if environ is None else environ
    values: Dict[str, Any] = {}
    for item in fields(Settings):
        variable = item.metadata["variable"]
        raw = environ.get(variable, "").strip()
        if raw:
            values[item.name] = _convert(raw, item)
    settings = Settings(**values)
    if not settings.database_url:
        settings = replace(settings, database_url=f"sqlite:///{settings.var_dir / 'knowledge.db'}")
    if "api_token_file" not in values and settings.instance_suffix:
        settings = replace(
            settings,
            api_token_file=settings.api_token_file.with_name(settings.api_token_file.name + settings.instance_suffix),
        )
    return settings


def shell_assignments(settings: Settings) -> List[str]:
    """``VAR='value'`` lines for ``scripts/serve.sh`` (paths relative to the project when inside it)."""
    lines = []
    for item in fields(Settings):
        value = getattr(settings, item.name)
        if value is None:
            value = ""
        elif isinstance(value, tuple):
            value = ",".join(value)
        elif isinstance(value, Path):
            value = str(value.relative_to(PROJECT_ROOT)) if value.is_relative_to(PROJECT_ROOT) else str(value)
        text = str(value).replace("'", "'\"'\"'")
        lines.append(f"{item.metadata['variable']}='{text}'")
    lines += [
        f"INSTANCE_SUFFIX='{settings.instance_suffix}'",
        f"RASA_URL='{settings.rasa_url}'",
        f"ACTION_URL='{settings.action_url}'",
    ]
    return lines


def load_clinic(environ: Optional[Mapping[str, str]] = None) -> Clinic:
    """Read the clinic's contact details from the environment (``CLINIC_*`` variables)."""
    environ = os.environ if environ is None else environ

    def text(name: str) -> Optional[str]:
        return environ.get(name, "").strip() or None

    return Clinic(
        name=text("CLINIC_NAME") or DEFAULT_NAME,
        phone=text("CLINIC_PHONE"),
        booking_url=text("CLINIC_BOOKING_URL"),
        opening_hours=text("CLINIC_OPENING_HOURS"),
        address=text("CLINIC_ADDRESS"),
        emergency_number=text("CLINIC_EMERGENCY_NUMBER") or DEFAULT_EMERGENCY_NUMBER,
        webhook_url=text("CLINIC_WEBHOOK_URL"),
    )


def channel_environment() -> Dict[str, str]:
    """The messaging channels' variables that are set (see :mod:`bot.clinic.channels`)."""
    return {name: os.environ[name] for name in CHANNEL_VARIABLES if name in os.environ}


def process_environment(**overrides: str) -> Dict[str, str]:
    """This process's environment with ``overrides``, for a child process (servers, Rasa commands)."""
    return {**os.environ, **overrides}


def environment() -> Mapping[str, str]:
    """The process environment, for ``${VAR}`` references in Rasa's own files (endpoints)."""
    return os.environ


def is_loopback(host: str) -> bool:
    """True when ``host`` (an address or ``localhost``) is this machine's loopback interface only."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
