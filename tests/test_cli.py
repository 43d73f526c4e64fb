"""The command line: knowledge-base build output, topic check and port check."""
import socket
import subprocess
import sys
import time

from bot import cli
from bot.maintain.review.inbox import DEFAULT_THRESHOLD


def test_build_kb_prints_changes_and_fails_when_a_topic_loses_its_answer(monkeypatch, tmp_path, guide_dir, spacy_dir, capsys):
    monkeypatch.setenv("MESO_DATABASE_URL", f"sqlite:///{tmp_path / 'kb.db'}")
    monkeypatch.setenv("MESO_GUIDE_DIR", str(guide_dir))
    monkeypatch.setenv("MESO_SPACY_MODEL", str(spacy_dir))
    assert cli.main(["build-kb"]) == 0
    guide = guide_dir / "mesotherapy-guide.txt"
    text = guide.read_text()
    guide.write_text(text[: text.index("How Long Do Results Last?")])
    assert cli.main(["build-kb"]) == 1
    captured = capsys.readouterr()
    assert "- sentence: Mesotherapy results are not permanent." in captured.out
    assert ("error: topic results_duration: the guide has no section 'How Long Do Results Last?' any more"
            in captured.err)


def test_build_kb_says_a_new_section_is_unreachable_and_how_to_reach_it(monkeypatch, tmp_path, guide_dir, spacy_dir,
                                                                       capsys):
    monkeypatch.setenv("MESO_DATABASE_URL", f"sqlite:///{tmp_path / 'kb.db'}")
    monkeypatch.setenv("MESO_GUIDE_DIR", str(guide_dir))
    monkeypatch.setenv("MESO_SPACY_MODEL", str(spacy_dir))
    guide = guide_dir / "mesotherapy-guide.txt"
    guide.write_text(guide.read_text() + "\n\nCan I Wear Make-up Afterwards?\n\nWait a day before wearing make-up.\n"
                     "\nHow Much Does Mesotherapy Cost?\n\nA session at our clinic costs 150 euros.\n"
                     "\nPreparing for Your Session\n\nAvoid aspirin for two days before your treatment.\n")
    assert cli.main(["build-kb"]) == 0  # warnings only: the assistant still answers everything it did
    captured = capsys.readouterr()
    assert "'How Long Do Results Last?' -> topic results_duration" in captured.out
    assert "'How Much Does Mesotherapy Cost?' -> ask_price (guide now covers it)" in captured.out
    assert "'Can I Wear Make-up Afterwards?' -> NOT REACHABLE" in captured.out
    assert "'Preparing for Your Session' -> topic procedure (how to prepare for a treatment)" in captured.out
    assert "warning: section 'Can I Wear Make-up Afterwards?' is not reachable: no topic points at it" in captured.err
    assert "add a topic to data/topics.yml" in captured.err and "make train; 4. make deploy" in captured.err


def test_check_ports_names_the_busy_port(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["check-ports", str(port)]) == 1
    assert f"port {port} is already in use" in capsys.readouterr().err


def test_the_inbox_threshold_default_is_the_inbox_modules() -> None:
    assert cli.DEFAULT_INBOX_THRESHOLD == DEFAULT_THRESHOLD


def test_server_start_commands_do_not_load_the_heavy_libraries() -> None:
    probe = "import sys, bot.cli; print(sorted(m for m in ('spacy', 'sklearn', 'sqlalchemy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_wait_for_gives_up_when_the_server_process_has_stopped(capsys) -> None:
    process = subprocess.Popen(["true"])
    process.wait()
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    assert cli.main(["wait-for", f"http://127.0.0.1:{port}/", "--timeout", "60", "--pid", str(process.pid)]) == 1
    assert time.monotonic() - started < 10
    assert f"(pid {process.pid}) has stopped" in capsys.readouterr().err
