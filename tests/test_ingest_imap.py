"""IMAP import against a real Dovecot server started for these tests.

Needs Dovecot's IMAP server (Debian/Ubuntu: `apt-get install -y dovecot-imapd`); the
tests skip with that hint when the binary is missing. The server runs from a temporary
directory with its own configuration, a passwd-file and a free port on 127.0.0.1. Run as
root it uses the package's unprivileged `dovenull`/`dovecot` users; run as a normal user
every Dovecot process runs as that user.
"""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from moderator.domain.models import Channel
from moderator.ingest.imap import ImapError, ImapSource, ImapState

DATA = Path(__file__).parent / "data" / "mail"
PASSWORD = "geheim mit Leerzeichen"


def _dovecot_binary() -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
    return shutil.which("dovecot", path=path)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Dovecot:
    port: int
    root: Path
    user: str = "moderator"

    def url(self, mailbox: str = "INBOX") -> str:
        """The mailbox's URL as a user gives it: no password in it."""
        return f"imap://{self.user}@127.0.0.1:{self.port}/{mailbox}"

    def source(self, mailbox: str = "INBOX", password: str = PASSWORD) -> ImapSource:
        # The test server speaks plain text only (ssl = no): allowed here, refused by default.
        return ImapSource(self.url(mailbox), password=password, allow_insecure=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(self.user, PASSWORD)
        return conn


def _config(root: Path, port: int) -> str:
    if os.geteuid() == 0:
        try:
            mail_user = pwd.getpwnam("dovecot")
            pwd.getpwnam("dovenull")
        except KeyError:
            pytest.skip("running as root needs the dovecot/dovenull users of dovecot-core")
        login_user, internal_user = "dovenull", "dovecot"
        uid, gid = mail_user.pw_uid, mail_user.pw_gid
        for sub in ("mail", "home"):
            os.chown(root / sub, uid, gid)
    else:
        me = pwd.getpwuid(os.getuid())
        login_user = internal_user = me.pw_name
        uid, gid = me.pw_uid, me.pw_gid
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = moderator-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal_user).pw_gid).gr_name}
first_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
"""


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    binary = _dovecot_binary()
    if binary is None:
        pytest.skip("Dovecot not installed (Debian/Ubuntu: apt-get install -y dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="moderator-dovecot-"))
    root.chmod(0o755)  # the unprivileged Dovecot processes must reach their files
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    port = _free_port()
    (root / "passwd").write_text(f"moderator:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
    (root / "dovecot.conf").write_text(_config(root, port))
    process = subprocess.Popen(
        [binary, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (
                        (root / "dovecot.log").read_text()
                        if (root / "dovecot.log").exists()
                        else ""
                    )
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"Dovecot did not start:\n{output}\n{log}")
                time.sleep(0.05)
        yield Dovecot(port, root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


def _append(server: Dovecot, mailbox: str, *names: str) -> None:
    conn = server.client()
    try:
        for name in names:
            status, _ = conn.append(mailbox, None, None, (DATA / name).read_bytes())
            assert status == "OK"
    finally:
        conn.logout()


def _flags(server: Dovecot, mailbox: str) -> list[bytes]:
    conn = server.client()
    try:
        conn.select(mailbox, readonly=True)
        status, data = conn.uid("FETCH", "1:*", "(FLAGS)")
        assert status == "OK"
        return [item for item in data if isinstance(item, bytes)]
    finally:
        conn.logout()


def test_fetch_new_is_read_only_and_incremental(dovecot: Dovecot) -> None:
    _append(dovecot, "INBOX", "registration_example.eml", "bullets_dash.eml")
    source = dovecot.source()

    messages, problems, state = source.fetch_new(None)

    assert problems == []
    assert [m.source_key for m in messages] == [
        "email:20200615091502.4711@mail.example.de",
        "email:bullets.ben@example.net",
    ]
    assert all(m.channel is Channel.EMAIL for m in messages)
    assert messages[0].author == "Jürgen Müller"
    assert "Inklusionsbeirat" in messages[0].text
    assert state.last_uid == 2 and state.uidvalidity > 0
    flags = _flags(dovecot, "INBOX")
    assert len(flags) == 2
    assert not any(b"\\Seen" in line for line in flags), flags

    _append(dovecot, "INBOX", "latin1_really_cp1252.eml")
    newer, problems, newer_state = source.fetch_new(state)

    assert problems == []
    assert [m.source_key for m in newer] == ["email:cp1252.gisela@example.de"]
    assert "€" in newer[0].text
    assert newer_state == ImapState(state.uidvalidity, 3)
    assert source.fetch_new(newer_state)[0] == []
    assert not any(b"\\Seen" in line for line in _flags(dovecot, "INBOX"))


def test_uidvalidity_change_starts_over(dovecot: Dovecot) -> None:
    conn = dovecot.client()
    conn.create("Anmeldungen")
    conn.logout()
    _append(dovecot, "Anmeldungen", "flowed.eml")
    source = dovecot.source("Anmeldungen")
    first, _, state = source.fetch_new(None)
    assert [m.source_key for m in first] == ["email:flowed.eva@example.de"]

    conn = dovecot.client()
    conn.delete("Anmeldungen")
    conn.create("Anmeldungen")
    conn.logout()
    _append(dovecot, "Anmeldungen", "flowed.eml")
    stale = ImapState(state.uidvalidity, last_uid=99)

    again, _, fresh = source.fetch_new(stale)

    assert fresh.uidvalidity != state.uidvalidity
    assert [m.source_key for m in again] == ["email:flowed.eva@example.de"]
    assert fresh.last_uid == 1


def test_problem_mail_is_reported_and_others_kept(dovecot: Dovecot) -> None:
    conn = dovecot.client()
    conn.create("Gemischt")
    conn.logout()
    _append(dovecot, "Gemischt", "no_text_part.eml", "english_reply.eml")
    messages, problems, _ = dovecot.source("Gemischt").fetch_new(None)
    assert [m.source_key for m in messages] == ["email:english.lisa@example.co.uk"]
    assert len(problems) == 1
    assert "no-text.ida@example.de" in str(problems[0])
    assert "UID=1" in str(problems[0])


def test_wrong_password_raises_clear_error(dovecot: Dovecot) -> None:
    source = dovecot.source(password="falsch")
    with pytest.raises(ImapError, match="cannot log in") as raised:
        source.fetch_new(None)
    assert "falsch" not in source.display_name and "falsch" not in str(raised.value)


def test_url_parsing() -> None:
    source = ImapSource("imaps://anna%40example.de:p%40ss@mail.example.de/Anmeldungen%202025")
    assert (source.secure, source.host, source.port) == (True, "mail.example.de", 993)
    assert (source.user, source.password) == ("anna@example.de", "p@ss")
    assert source.mailbox == "Anmeldungen 2025"
    assert "p@ss" not in source.display_name
    plain = ImapSource("imap://u:p@localhost")
    assert (plain.port, plain.mailbox, plain.starttls) == (143, "INBOX", True)
    with pytest.raises(ValueError, match="imap"):
        ImapSource("https://u:secret@example.de/")
    try:
        ImapSource("pop3://u:secret@example.de/")
    except ValueError as error:
        assert "secret" not in str(error)


def test_watching_a_mailbox_imports_new_mail_once(dovecot: Dovecot, sqlite_service) -> None:
    """The service side of `moderator watch imap://…`: state survives in the database."""
    from moderator.services.ingesting import ImapFollower

    conn = dovecot.client()
    conn.create("Watch")
    conn.logout()
    _append(dovecot, "Watch", "registration_example.eml")
    follower = ImapFollower(
        sqlite_service, dovecot.url("Watch"), password=PASSWORD, allow_insecure=True
    )
    first = follower.poll()
    assert first is not None and first.new == 1
    assert follower.poll() is None  # nothing new, nothing imported
    _append(dovecot, "Watch", "bullets_dash.eml")
    again = ImapFollower(  # a restarted watcher
        sqlite_service, dovecot.url("Watch"), password=PASSWORD, allow_insecure=True
    )
    second = again.poll()
    assert second is not None and second.new == 1 and second.already_imported == 0
    # each mail stored once (the bulleted one divided into its questions as further parts)
    mails = [m for m in sqlite_service.messages() if m.source_key.startswith("email:")]
    assert len(mails) == 2
    assert not any(b"\\Seen" in line for line in _flags(dovecot, "Watch"))


# ------------------------------------------------------------------ the password (issue item 9)


def test_plain_text_login_is_refused_unless_allowed(dovecot: Dovecot) -> None:
    """The server offers no STARTTLS: the password must not go out in plain text."""
    before = dovecot.log()
    source = ImapSource(dovecot.url(), password=PASSWORD)
    with pytest.raises(ImapError, match="STARTTLS") as raised:
        source.fetch_new(None)
    assert "--allow-insecure" in str(raised.value) and PASSWORD not in str(raised.value)
    deadline = time.monotonic() + 30
    while "Disconnected" not in (dovecot_saw := dovecot.log()[len(before) :]):
        assert time.monotonic() < deadline, "Dovecot logged no disconnect"
        time.sleep(0.02)  # Dovecot writes its log from another process
    assert "no auth attempts" in dovecot_saw, dovecot_saw  # it never tried to log in
    messages, _, _ = ImapSource(dovecot.url(), password=PASSWORD, allow_insecure=True).fetch_new(
        None
    )
    assert isinstance(messages, list)


def test_watch_never_logs_the_password_and_does_not_repeat_itself(
    sqlite_service, caplog: pytest.LogCaptureFixture
) -> None:
    """A mailbox that cannot be reached (nothing listens on the port) while `watch` keeps
    looking: one warning naming the mailbox, never the password."""
    import logging
    import threading

    from moderator.services.ingesting import watch

    secret = "falsches Geheimnis 42"
    url = f"imap://moderator@127.0.0.1:{_free_port()}/INBOX"
    stop = threading.Event()
    polls: list[logging.LogRecord] = []

    class StopAfterThreeLooks(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.name == "moderator.services.ingesting":
                polls.append(record)
                if len(polls) >= 3:
                    stop.set()

    handler = StopAfterThreeLooks(logging.DEBUG)
    logger = logging.getLogger("moderator.services.ingesting")
    logger.addHandler(handler)
    caplog.set_level(logging.DEBUG, logger="moderator")
    try:
        watch(
            sqlite_service,
            [url],
            interval=0.01,
            imap_interval=0.0,
            stop=stop,
            imap_passwords={url: secret},
            allow_insecure=True,
        )
    finally:
        logger.removeHandler(handler)
    assert len(polls) >= 3
    assert all(secret not in r.getMessage() for r in caplog.records)
    assert all("Geheimnis" not in r.getMessage() for r in caplog.records)
    warnings = [r for r in polls if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "Anmeldung nicht möglich" in warnings[0].getMessage()  # the event is German
    assert url.removeprefix("imap://") in warnings[0].getMessage()


def _moderator(*args: str, env: dict[str, str], **kw) -> subprocess.Popen:
    root = Path(__file__).resolve().parents[1]
    return subprocess.Popen(
        [sys.executable, "-m", "moderator", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root / "src"), **env},
        **kw,
    )


def _stored_messages(db_url: str) -> int:
    from moderator.storage.db import Database
    from moderator.storage.rows import MessageRow

    path = Path(db_url.removeprefix("sqlite:///"))
    if not path.exists():
        return 0
    db = Database(db_url)
    try:
        if db.current_revision() is None:
            return 0
        from sqlalchemy import func, select

        with db.reading() as session:
            return session.scalar(select(func.count()).select_from(MessageRow)) or 0
    finally:
        db.dispose()


@pytest.mark.parametrize("where", ["environment", "settings"])
def test_cli_watch_takes_the_password_from_env_or_settings_never_the_command_line(
    dovecot: Dovecot, tmp_path: Path, where: str
) -> None:
    mailbox = f"Cli{where}"
    conn = dovecot.client()
    conn.create(mailbox)
    conn.logout()
    _append(dovecot, mailbox, "registration_example.eml")
    config_home = tmp_path / "config"
    env = {"XDG_CONFIG_HOME": str(config_home), "MODERATOR_IMAP_PASSWORD": ""}
    if where == "environment":
        env["MODERATOR_IMAP_PASSWORD"] = PASSWORD
    else:
        settings = config_home / "moderator" / "settings.toml"
        settings.parent.mkdir(parents=True)
        settings.write_text(f'imap_password = "{PASSWORD}"\n', "utf-8")
    db = f"sqlite:///{tmp_path / 'watch.db'}"
    process = _moderator(
        "--db", db, "watch", dovecot.url(mailbox), "--allow-insecure", "--interval", "0.05",
        env=env,
    )  # fmt: skip
    import select

    err = b""
    try:
        deadline = time.monotonic() + 60
        while b" 1 neu" not in err:  # the summary `watch` prints (the default event is German)
            assert process.poll() is None and time.monotonic() < deadline, err
            if select.select([process.stderr], [], [], 0.1)[0]:
                err += os.read(process.stderr.fileno(), 4096)
        assert _stored_messages(db) == 1
        # What `ps` shows of the running watcher:
        command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes()
        assert PASSWORD.encode() not in command_line
        assert dovecot.url(mailbox).encode() in command_line
    finally:
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=30)
    assert process.returncode == 130
    assert PASSWORD.encode() not in err + rest


def test_cli_watch_refuses_a_password_in_the_url_or_none_at_all(tmp_path: Path) -> None:
    db = tmp_path / "nie.db"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "MODERATOR_IMAP_PASSWORD": ""}
    in_url = _moderator(
        "--db", f"sqlite:///{db}", "watch", "imaps://anna:streng%20geheim@mail.example.de/INBOX",
        env=env,
    )  # fmt: skip
    _, err = in_url.communicate(timeout=60)
    assert in_url.returncode == 2
    assert "leave the password out of the URL" in err.decode()
    assert "geheim" not in err.decode() and len(err.decode().strip().splitlines()) == 1

    nothing = _moderator(
        "--db", f"sqlite:///{db}", "watch", "imaps://anna@mail.example.de/INBOX", env=env
    )
    _, err = nothing.communicate(timeout=60)
    assert nothing.returncode == 2
    assert "no IMAP password" in err.decode() and "MODERATOR_IMAP_PASSWORD" in err.decode()
    assert not db.exists()  # refused before anything was created


def test_cli_watch_asks_for_the_password_in_a_terminal(dovecot: Dovecot, tmp_path: Path) -> None:
    """No password anywhere: `watch` asks on its terminal (a real pseudo-terminal here),
    without echoing it."""
    import fcntl
    import pty
    import select
    import termios

    conn = dovecot.client()
    conn.create("Prompt")
    conn.logout()
    _append(dovecot, "Prompt", "flowed.eml")
    db = f"sqlite:///{tmp_path / 'prompt.db'}"
    master, slave = pty.openpty()

    def controlling_terminal() -> None:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(root / "src"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "MODERATOR_IMAP_PASSWORD": "",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "moderator", "--db", db, "watch", dovecot.url("Prompt"),
         "--allow-insecure", "--interval", "0.05"],
        stdin=slave, stdout=slave, stderr=slave, cwd=root, env=env,
        preexec_fn=controlling_terminal,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 60
        while b"IMAP password for moderator@127.0.0.1: " not in seen:
            assert time.monotonic() < deadline and process.poll() is None, seen
            if select.select([master], [], [], 0.1)[0]:
                seen += os.read(master, 4096)
        os.write(master, PASSWORD.encode() + b"\n")
        while b" 1 neu" not in seen:  # the summary `watch` prints (the default event is German)
            assert time.monotonic() < deadline and process.poll() is None, seen
            if select.select([master], [], [], 0.05)[0]:
                seen += os.read(master, 4096)
        assert _stored_messages(db) == 1
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        with contextlib.suppress(OSError):
            while select.select([master], [], [], 0.2)[0]:
                chunk = os.read(master, 4096)
                if not chunk:
                    break
                seen += chunk
        os.close(master)
    assert PASSWORD.encode() not in seen  # not echoed, not printed
