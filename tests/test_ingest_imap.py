"""IMAP import against a real Dovecot server started for these tests.

Needs Dovecot's IMAP server (Debian/Ubuntu: `apt-get install -y dovecot-imapd`); the
tests skip with that hint when the binary is missing. The server runs from a temporary
directory with its own configuration, a passwd-file and a free port on 127.0.0.1. Run as
root it uses the package's unprivileged `dovenull`/`dovecot` users; run as a normal user
every Dovecot process runs as that user.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
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
    user: str = "moderator"

    def url(self, mailbox: str = "INBOX", password: str = PASSWORD) -> str:
        quoted = password.replace(" ", "%20")
        return f"imap://{self.user}:{quoted}@127.0.0.1:{self.port}/{mailbox}?starttls=no"

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
        yield Dovecot(port)
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
    source = ImapSource(dovecot.url())

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
    source = ImapSource(dovecot.url("Anmeldungen"))
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
    messages, problems, _ = ImapSource(dovecot.url("Gemischt")).fetch_new(None)
    assert [m.source_key for m in messages] == ["email:english.lisa@example.co.uk"]
    assert len(problems) == 1
    assert "no-text.ida@example.de" in str(problems[0])
    assert "UID=1" in str(problems[0])


def test_wrong_password_raises_clear_error(dovecot: Dovecot) -> None:
    source = ImapSource(dovecot.url(password="falsch"))
    with pytest.raises(ImapError, match="cannot log in"):
        source.fetch_new(None)
    assert "falsch" not in source.display_name


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
    follower = ImapFollower(sqlite_service, dovecot.url("Watch"))
    first = follower.poll()
    assert first is not None and first.new == 1
    assert follower.poll() is None  # nothing new, nothing imported
    _append(dovecot, "Watch", "bullets_dash.eml")
    again = ImapFollower(sqlite_service, dovecot.url("Watch"))  # a restarted watcher
    second = again.poll()
    assert second is not None and second.new == 1 and second.already_imported == 0
    assert len(sqlite_service.messages()) == 2
    assert not any(b"\\Seen" in line for line in _flags(dovecot, "Watch"))
