"""The one command line of the project: ``python -m bot COMMAND`` (``--help`` lists them)."""

from __future__ import annotations

import argparse
import importlib
import socket
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

from bot.clinic.channels import write_credentials
from bot.http_json import HttpJsonError, request_json
from bot.maintain.evaluation import command as evaluation_commands
from bot.maintain.evaluation import real_folds, real_questions
from bot.maintain.training_data import adapted as adapted_questions
from bot.maintain.training_data import lint as training_data_lint
from bot.settings import (
    PROJECT_ROOT,
    channel_environment,
    load_clinic,
    load_settings,
    setting_variables,
    shell_assignments,
)

# The commands scripts/serve.sh runs before every start (check-ports, write-credentials,
# wait-for) need none of the heavy libraries (spaCy, scikit-learn, SQLAlchemy): those are
# imported by the commands that use them, so starting the servers does not wait for them.
DEFAULT_INBOX_THRESHOLD = 0.6  # bot.maintain.review.inbox.DEFAULT_THRESHOLD (tests/test_cli.py checks)


def build_spacy(args: argparse.Namespace) -> int:
    """Build our spaCy pipeline unless it is up to date."""
    from bot.nlp.pipeline import ensure_pipeline

    settings = load_settings()
    built = ensure_pipeline(settings.vocabulary_path, settings.spacy_model_dir)
    print(f"spaCy pipeline {'built' if built else 'up to date'}: {settings.spacy_model_dir}")
    return 0


def build_kb(args: argparse.Namespace) -> int:
    """Build the knowledge base from the guide files."""
    from bot.maintain.coverage import guide_coverage
    from bot.maintain.training_data.files import TrainingDataError, read_training_data
    from bot.service import build_knowledge, guide_sections
    from bot.topics import TopicsError, intent_table

    settings = load_settings()
    report = build_knowledge(settings, force=args.force)
    for name, status in report.documents.items():
        print(f"{name}: {status}")
        diff = report.diffs.get(name)
        if diff and not diff.sections_removed and not diff.sentences_removed and status == "built" and not args.verbose:
            print(f"  {len(diff.sentences_added)} sentences, {len(diff.facts_added)} facts")
        elif diff:
            for line in diff.lines():
                print(f"  {line}")
    if not report.documents:
        print(f"error: no guide file (.txt or .md) in {settings.guide_dir}", file=sys.stderr)
        return 1
    try:
        table = intent_table(settings.topics_path)
        training = read_training_data(settings.nlu_dir)
    except (TopicsError, TrainingDataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    examples = {
        intent: sum(len(f.examples.get(intent, [])) for f in training) for f in training for intent in f.examples
    }
    coverage = guide_coverage(guide_sections(settings), table, examples)
    print("What each section answers:")
    for line in coverage.sections:
        print(f"  {line}")
    for line in coverage.warnings:
        print(f"warning: {line}", file=sys.stderr)
    for line in coverage.errors:
        print(f"error: {line}", file=sys.stderr)
    return 1 if coverage.errors else 0


def handoff_pending(args: argparse.Namespace) -> int:
    """List the handoff requests whose notification has not gone through."""
    from bot.clinic import handoff
    from bot.service import open_handoff_store

    requests = handoff.pending_requests(open_handoff_store())
    for request in requests:
        print(
            f"{request.id}\t{request.created_at:%Y-%m-%d %H:%M}\t{request.reason}\t{request.name}\t"
            f"{request.contact}\tattempts={request.attempts}\t{request.last_error or ''}"
        )
    print(f"{len(requests)} pending request(s)")
    return 0


def handoff_retry(args: argparse.Namespace) -> int:
    """Notify the clinic's webhook of every pending handoff request again."""
    from bot.clinic import handoff
    from bot.service import open_handoff_store

    url = load_clinic().webhook_url
    if not url:
        print("error: CLINIC_WEBHOOK_URL is not set", file=sys.stderr)
        return 1
    results = handoff.retry_pending(open_handoff_store(), url)
    failed = [request_id for request_id, sent in results.items() if not sent]
    print(f"{len(results) - len(failed)} sent, {len(failed)} still pending")
    return 1 if failed else 0


def write_credentials_file(args: argparse.Namespace) -> int:
    """Write Rasa's credentials: credentials.yml plus the channels set in the environment."""
    credentials = write_credentials(args.static, args.target, channel_environment())
    for channel, missing in credentials.incomplete.items():
        print(f"warning: channel {channel} left out, unset: {', '.join(missing)}", file=sys.stderr)
    print(f"{args.target}: {', '.join(credentials.channels)}")
    return 0


def check_ports(args: argparse.Namespace) -> int:
    """Fail with a clear message when a port the servers need is taken."""
    busy = []
    for port in args.ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                busy.append(port)
    for port in busy:
        print(
            f"error: port {port} is already in use. Stop what runs there (`ss -ltnp | grep :{port}` shows it) "
            "or choose other ports with RASA_PORT / ACTION_PORT.",
            file=sys.stderr,
        )
    return 1 if busy else 0


def wait_for(args: argparse.Namespace) -> int:
    """Wait until ``url`` answers HTTP 200, up to ``--timeout`` seconds (or until ``--pid`` exits)."""
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if args.pid and not Path(f"/proc/{args.pid}").exists():
            print(f"error: the process serving {args.url} (pid {args.pid}) has stopped", file=sys.stderr)
            return 1
        try:
            with urllib.request.urlopen(args.url, timeout=2) as response:
                if response.status == 200:
                    return 0
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.5)
    print(f"error: {args.url} did not answer within {args.timeout:.0f} s", file=sys.stderr)
    return 1


def chat(args: argparse.Namespace) -> int:
    """Chat in the terminal through the REST channel; a number picks a button."""
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    token = load_settings().current_rest_token()  # needed when the server listens off loopback
    headers = {"Authorization": f"Bearer {token}"} if token else None
    buttons: List[dict] = []
    print("Chat with the mesotherapy assistant. Type /quit (or Ctrl-D) to stop.")
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text.strip() in ("/quit", "/exit"):
            return 0
        if text.strip().isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            messages = request_json("POST", args.url, {"sender": sender, "message": text}, headers).json([])
        except HttpJsonError as error:
            print(f"(the assistant is unreachable: {error})")
            continue
        buttons = []
        for message in messages:
            if message.get("text"):
                print(f"bot> {message['text']}")
            for button in message.get("buttons") or []:
                buttons.append(button)
                print(f"     {len(buttons)}. {button['title']}")


def deploy_model(args: argparse.Namespace) -> int:
    """Load a trained model into the running Rasa server (PUT /model) and record it as live."""
    from bot.maintain.deploy import DeployError, deploy

    token = replace(load_settings(), api_token_file=args.token_file).current_api_token()
    if not token:
        print(
            f"error: no API token: set RASA_AUTH_TOKEN or start the server with `make run` "
            f"(it writes {args.token_file})",
            file=sys.stderr,
        )
        return 1
    print(f"Loading {args.model} into {args.url} (the server keeps answering meanwhile)...", flush=True)
    try:
        deployment = deploy(args.model, args.url, token, args.live_dir, args.reports)
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Live: {deployment.model} (sha256 {deployment.sha256[:12]}), switched in {deployment.switch_seconds:.1f} s")
    if deployment.evaluation:
        print(f"Evaluation recorded: {deployment.evaluation}")
    else:
        print(
            f"warning: no evaluation report of this model in {args.reports}; `make evaluate` first, "
            "so the next model is compared with this one",
            file=sys.stderr,
        )
    return 0


def _since(value: str) -> datetime:
    """A date or date-time (ISO 8601), in UTC unless it names its zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM): {value!r}") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _threshold(value: str) -> float:
    """A confidence between 0 and 1."""
    try:
        threshold = float(value)
    except ValueError:
        threshold = -1.0
    if not 0.0 <= threshold <= 1.0:
        raise argparse.ArgumentTypeError(f"not a confidence between 0 and 1: {value!r}")
    return threshold


def review_inbox(args: argparse.Namespace) -> int:
    """Write the messages the assistant did not understand well, grouped and ranked, for labelling."""
    from bot.maintain.review.conversations import StoreError, load_user_messages
    from bot.maintain.review.inbox import build_inbox
    from bot.maintain.review.inbox_file import labelled_count, write_inbox
    from bot.maintain.review.tracker_store import EndpointsError, display_url, quoted_env_references, tracker_store_url
    from bot.maintain.training_data.files import TrainingDataError, domain_intents

    labelled = 0 if args.force else labelled_count(args.out)
    if labelled:
        print(
            f"error: {args.out} has {labelled} labelled entries: merge them first "
            f"(python -m bot merge-labels {args.out}), move the file, or pass --force",
            file=sys.stderr,
        )
        return 1
    if not args.tracker_db:
        for setting in quoted_env_references(args.endpoints):
            print(
                f"warning: {args.endpoints}: tracker_store {setting} is a quoted ${{VAR}}, which Rasa 3.6 "
                "does not expand (it stores conversations in memory instead): write it unquoted",
                file=sys.stderr,
            )
    try:
        url = args.tracker_db or tracker_store_url(args.endpoints, PROJECT_ROOT)
        messages = load_user_messages(url, args.since)
        intents = domain_intents(args.domain)
    except (EndpointsError, StoreError, TrainingDataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    inbox = build_inbox(messages, threshold=args.threshold)
    try:
        write_inbox(args.out, inbox, intents, args.threshold, display_url(url), args.since)
    except OSError as error:
        print(f"error: cannot write {args.out}: {error}", file=sys.stderr)
        return 1
    print(
        f"{args.out}: {len(inbox.groups)} groups from {inbox.messages_selected} messages to review "
        f"({inbox.messages_read} visitor messages read from {display_url(url)})"
    )
    return 0


def merge_labels_file(args: argparse.Namespace) -> int:
    """Add the labelled entries of a review inbox to the NLU training data."""
    from bot.maintain.review.inbox_file import LabelsError, read_labels
    from bot.maintain.training_data.files import TrainingDataError, domain_intents
    from bot.maintain.training_data.merge import MergeError, merge_labels
    from bot.maintain.training_data.text import shorten

    try:
        labels = read_labels(args.file)
        report = merge_labels(labels, args.data, domain_intents(args.domain))
    except (LabelsError, MergeError, TrainingDataError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        print("nothing was changed", file=sys.stderr)
        return 1
    for added in report.added:
        print(f"added    {added.intent}: {shorten(added.text)}  ({added.path})")
    for skipped in report.skipped:
        print(
            f"{'warning: ' if skipped.conflict else ''}skipped  {skipped.intent}: {shorten(skipped.text)}  "
            f"({skipped.reason})",
            file=sys.stderr if skipped.conflict else sys.stdout,
        )
    labelled = sum(1 for label in labels if label.intent)
    print(
        f"{len(report.added)} examples added, {len(report.skipped)} skipped, from {labelled} labelled "
        f"of {len(labels)} entries" + ("; retrain the model (make train)" if report.added else "")
    )
    return 0


def _tracker_engine(args: argparse.Namespace):  # -> Optional[Engine]; SQLAlchemy imported on use
    """An engine on Rasa's SQL tracker store (``--tracker-db`` or the endpoints file), or None with
    the reason printed."""
    from bot.maintain.review.conversations import StoreError, open_store
    from bot.maintain.review.tracker_store import EndpointsError, tracker_store_url

    try:
        return open_store(args.tracker_db or tracker_store_url(args.endpoints, PROJECT_ROOT))
    except (EndpointsError, StoreError) as error:
        print(f"error: conversations not cleaned: {error}", file=sys.stderr)
        return None


def forget_command(args: argparse.Namespace) -> int:
    """Delete everything stored about one visitor: conversations, handoff requests, inbox entries."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import make_engine
    from bot.maintain.privacy import PrivacyError, Target, forget
    from bot.maintain.review.inbox_file import LabelsError

    try:
        target = Target(conversation=args.conversation, phone=args.phone, email=args.email)
    except PrivacyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    tracker = _tracker_engine(args)
    handoff = make_engine(load_settings().database_url)
    try:
        deleted = forget(target, tracker, handoff, args.inbox)
    except (SQLAlchemyError, LabelsError, OSError) as error:
        print(
            f"error: {type(error).__name__}: nothing or only part was deleted; run the command again "
            f"({str(error).splitlines()[0][:200]})",
            file=sys.stderr,
        )
        return 1
    finally:
        handoff.dispose()
        if tracker is not None:
            tracker.dispose()
    print(deleted.summary())
    return 0 if tracker is not None else 1


def apply_retention_command(args: argparse.Namespace) -> int:
    """Delete the conversations' events and the handoff requests older than the retention period."""
    from bot.db import make_engine
    from bot.maintain.privacy import PrivacyError, apply_retention

    tracker = _tracker_engine(args)
    handoff = make_engine(load_settings().database_url)
    try:
        result = apply_retention(args.days, tracker, handoff)
    except PrivacyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        handoff.dispose()
        if tracker is not None:
            tracker.dispose()
    print(
        f"older than {result.cutoff:%Y-%m-%d %H:%M} UTC: {result.events} tracker events, "
        f"{result.handoff_requests} handoff requests deleted"
    )
    return 0 if tracker is not None else 1


def _days(value: str) -> int:
    """A whole number of days, at least 1."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a number of days (1 or more): {value!r}")
    return int(value)


def print_settings(args: argparse.Namespace) -> int:
    """Print every setting (``--shell``: as ``VAR='value'`` lines for ``scripts/serve.sh``)."""
    settings = load_settings()
    if args.shell:
        print("\n".join(shell_assignments(settings)))
        return 0
    for name, help_text in setting_variables().items():
        item = next(line for line in shell_assignments(settings) if line.startswith(f"{name}="))
        print(f"{item:60} # {help_text}")
    return 0


# Commands whose options their own module parses (``python -m bot benchmark --help``).
TOOLS = {
    "with-servers": ("bot.maintain.servers", "run a command while both servers are up, then stop them"),
    "benchmark": ("bench.benchmark", "cold start, latency, throughput, memory, flat cost, training time"),
    "profile": ("bench.profile", "sample both servers under load with py-spy, print the top costs"),
}


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point."""
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    evaluation_commands.register(commands, settings)
    real_questions.register(commands, settings)
    real_folds.register(commands, settings)
    training_data_lint.register(commands)
    adapted_questions.register(commands, settings)
    show = commands.add_parser("settings", help="print the settings (from the environment, with defaults)")
    show.add_argument("--shell", action="store_true", help="as VAR='value' lines for a shell script")
    show.set_defaults(func=print_settings)
    commands.add_parser("build-spacy", help="build our spaCy pipeline").set_defaults(func=build_spacy)
    kb = commands.add_parser("build-kb", help="build the knowledge base from the guide")
    kb.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    kb.add_argument("--verbose", action="store_true", help="list every sentence and fact of a new guide")
    kb.set_defaults(func=build_kb)
    commands.add_parser("handoff-pending", help="list handoff requests not yet delivered to the clinic").set_defaults(
        func=handoff_pending
    )
    commands.add_parser("handoff-retry", help="deliver pending handoff requests to CLINIC_WEBHOOK_URL").set_defaults(
        func=handoff_retry
    )
    credentials = commands.add_parser("write-credentials", help="generate Rasa's credentials file from the environment")
    credentials.add_argument("target", type=Path)
    credentials.add_argument("--static", type=Path, default=PROJECT_ROOT / "credentials.yml")
    credentials.set_defaults(func=write_credentials_file)
    ports = commands.add_parser("check-ports", help="fail if a port is in use")
    ports.add_argument("ports", type=int, nargs="+")
    ports.set_defaults(func=check_ports)
    wait = commands.add_parser("wait-for", help="wait until a URL answers")
    wait.add_argument("url")
    wait.add_argument("--timeout", type=float, default=120)
    wait.add_argument("--pid", type=int, help="give up as soon as this process has stopped")
    wait.set_defaults(func=wait_for)
    talk = commands.add_parser("chat", help="chat in the terminal over the REST channel")
    talk.add_argument("--url", default=f"{settings.rasa_url}/webhooks/rest/webhook")
    talk.set_defaults(func=chat)
    release = commands.add_parser("deploy-model", help="load a trained model into the running server, no restart")
    release.add_argument("--model", type=Path, default=settings.model_path)
    release.add_argument("--url", default=settings.rasa_url)
    release.add_argument("--token-file", type=Path, default=settings.api_token_file)
    release.add_argument("--live-dir", type=Path, default=PROJECT_ROOT / "models" / "live")
    release.add_argument("--reports", type=Path, default=PROJECT_ROOT / "reports" / "evaluation")
    release.set_defaults(func=deploy_model)
    inbox = commands.add_parser("review-inbox", help="list the messages not understood well, for labelling")
    inbox.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports" / "review-inbox.yml")
    inbox.add_argument(
        "--threshold",
        type=_threshold,
        default=DEFAULT_INBOX_THRESHOLD,
        help="top intent confidence under which a message is listed (default %(default)s)",
    )
    inbox.add_argument("--since", type=_since, help="only messages from this date (YYYY-MM-DD, UTC)")
    store = inbox.add_mutually_exclusive_group()
    store.add_argument("--tracker-db", metavar="URL", help="SQLAlchemy URL of Rasa's tracker store")
    store.add_argument(
        "--endpoints",
        type=Path,
        default=settings.endpoints_path,
        help="read the tracker store from this endpoints file (${VAR} from the environment)",
    )
    inbox.add_argument("--domain", type=Path, default=PROJECT_ROOT / "domain.yml")
    inbox.add_argument("--force", action="store_true", help="overwrite an inbox file that has labels")
    inbox.set_defaults(func=review_inbox)
    merge = commands.add_parser("merge-labels", help="add the labelled inbox entries to the NLU training data")
    merge.add_argument("file", type=Path)
    merge.add_argument("--data", type=Path, default=PROJECT_ROOT / "data" / "nlu")
    merge.add_argument("--domain", type=Path, default=PROJECT_ROOT / "domain.yml")
    merge.set_defaults(func=merge_labels_file)
    forget_parser = commands.add_parser(
        "forget",
        help="delete a visitor's conversations, handoff requests "
        "and review inbox entries (by conversation id, phone or email)",
    )
    whom = forget_parser.add_mutually_exclusive_group(required=True)
    whom.add_argument("--conversation", metavar="ID", help="a conversation (sender) id, e.g. web:… or sms:…")
    whom.add_argument("--phone", metavar="NUMBER", help="every conversation and request with this phone number")
    whom.add_argument("--email", metavar="ADDRESS", help="every conversation and request with this email address")
    forget_parser.add_argument("--inbox", type=Path, default=PROJECT_ROOT / "reports" / "review-inbox.yml")
    retention = commands.add_parser(
        "apply-retention", help="delete conversation events and handoff requests older than MESO_RETENTION_DAYS"
    )
    retention.add_argument(
        "--days",
        type=_days,
        default=settings.retention_days,
        help="retention period in days (default MESO_RETENTION_DAYS: %(default)s)",
    )
    for parser_, func in ((forget_parser, forget_command), (retention, apply_retention_command)):
        where = parser_.add_mutually_exclusive_group()
        where.add_argument("--tracker-db", metavar="URL", help="SQLAlchemy URL of Rasa's tracker store")
        where.add_argument(
            "--endpoints",
            type=Path,
            default=settings.endpoints_path,
            help="read the tracker store from this endpoints file (${VAR} from the environment)",
        )
        parser_.set_defaults(func=func)
    for name, (_, summary) in TOOLS.items():
        commands.add_parser(name, help=summary, add_help=False)  # listed here, run below
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in TOOLS:
        return int(importlib.import_module(TOOLS[argv[0]][0]).main(argv[1:]))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
