"""Read registration mails from an IMAP mailbox without changing it.

The mailbox is opened read-only (EXAMINE) and bodies are fetched with BODY.PEEK[], so no
mail gets marked as read. The caller keeps the returned `ImapState` (UIDVALIDITY and the
highest UID seen) and passes it back to fetch only new mail. When the server's UIDVALIDITY
changes, the UIDs mean something else now and everything is fetched again; Message-ID based
source keys make that re-import add nothing twice.

Blocking (stdlib `imaplib`): call `fetch_new` from a worker thread.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from moderator.domain.language import Explained
from moderator.domain.models import IncomingMessage
from moderator.ingest.mail import MailProblem, parse_message_bytes

__all__ = ["ImapError", "ImapSource", "ImapState"]

_FETCH_BATCH = 50
_UID_IN_FETCH = re.compile(rb"\bUID (\d+)")


class ImapError(Explained):
    """The server could not be reached, refused the login, or has no such mailbox (said in
    German and English, `domain.language`)."""


class ImapUrlError(Explained, ValueError):
    """Not an IMAP URL (said in German and English)."""


@dataclass(frozen=True, slots=True)
class ImapState:
    """Where the last fetch stopped; persist it between runs."""

    uidvalidity: int
    last_uid: int


class ImapSource:
    """An IMAP mailbox given as `imaps://user@host:port/MAILBOX` or `imap://...`.

    The password is given apart (`password=`), never in the URL: a URL on a command line
    shows in `ps` and the shell history. (A password in the URL is still read, for
    programs that build one; the command line refuses it.) The user name is
    percent-decoded (write `@` in a user name as `%40`). The mailbox defaults to INBOX.

    Plain `imap://` upgrades with STARTTLS. A server that does not offer it would get the
    password in plain text: the login is refused before anything is sent, unless
    `allow_insecure` (`--allow-insecure`) says so; `?starttls=no` then skips the upgrade.
    """

    def __init__(
        self,
        url: str,
        *,
        password: str | None = None,
        allow_insecure: bool = False,
        timeout: float = 30.0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps"):
            raise ImapUrlError(key="imap.not_url", url=self._redact(url))
        if not parts.hostname:
            raise ImapUrlError(key="imap.no_host", url=self._redact(url))
        self.secure = parts.scheme == "imaps"
        self.host = parts.hostname
        self.port = parts.port or (993 if self.secure else 143)
        self.user = unquote(parts.username or "")
        self.password = password if password is not None else unquote(parts.password or "")
        self.mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
        query = parse_qs(parts.query)
        self.starttls = query.get("starttls", ["yes"])[0].lower() not in ("no", "0", "false")
        self.allow_insecure = allow_insecure
        self.timeout = timeout

    def __repr__(self) -> str:  # never the password, in a traceback or a log
        return f"ImapSource({self.display_name!r})"

    @staticmethod
    def _redact(url: str) -> str:
        return re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url)

    @property
    def display_name(self) -> str:
        """The URL without password, used as the messages' `source_name`."""
        scheme = "imaps" if self.secure else "imap"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.mailbox}"

    def _connect(self) -> imaplib.IMAP4:
        try:
            if self.secure:
                conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    self.host, self.port, ssl_context=ssl.create_default_context(),
                    timeout=self.timeout,
                )  # fmt: skip
            else:
                conn = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
                if self.starttls and "STARTTLS" in conn.capabilities:
                    conn.starttls(ssl.create_default_context())
                elif not self.allow_insecure:
                    with contextlib.suppress(OSError, imaplib.IMAP4.error):
                        conn.logout()
                    raise ImapError(key="imap.no_starttls", where=self.display_name)
            conn.login(self.user, self.password)
        except (OSError, imaplib.IMAP4.error) as error:
            raise ImapError(key="imap.login", where=self.display_name, detail=error) from error
        return conn

    def fetch_new(
        self, state: ImapState | None
    ) -> tuple[list[IncomingMessage], list[MailProblem], ImapState]:
        """Mails that arrived after `state` (all mails when None), problems, and the new state."""
        conn = self._connect()
        try:
            return self._fetch(conn, state)
        except (OSError, imaplib.IMAP4.error) as error:
            raise ImapError(key="imap.failed", where=self.display_name, detail=error) from error
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                conn.logout()

    def _fetch(
        self, conn: imaplib.IMAP4, state: ImapState | None
    ) -> tuple[list[IncomingMessage], list[MailProblem], ImapState]:
        status, _ = conn.select(_quote_mailbox(self.mailbox), readonly=True)  # EXAMINE
        if status != "OK":
            raise ImapError(key="imap.no_mailbox", where=self.display_name)
        uidvalidity = _uidvalidity(conn)
        last_uid = state.last_uid if state and state.uidvalidity == uidvalidity else 0

        status, data = conn.uid("SEARCH", f"UID {last_uid + 1}:*")
        if status != "OK":
            raise ImapError(key="imap.search", where=self.display_name, detail=data)
        # "n:*" always matches the highest UID, even when it is below n: filter.
        uids = sorted(
            int(u) for u in b" ".join(d or b"" for d in data).split() if int(u) > last_uid
        )

        messages: list[IncomingMessage] = []
        problems: list[MailProblem] = []
        for start in range(0, len(uids), _FETCH_BATCH):
            batch = uids[start : start + _FETCH_BATCH]
            for uid, raw in self._fetch_batch(conn, batch):
                outcome = parse_message_bytes(raw, source_name=f"{self.display_name};UID={uid}")
                if isinstance(outcome, MailProblem):
                    problems.append(outcome)
                else:
                    messages.append(outcome)
        highest = max([last_uid, *uids])
        return messages, problems, ImapState(uidvalidity=uidvalidity, last_uid=highest)

    def _fetch_batch(self, conn: imaplib.IMAP4, uids: list[int]) -> list[tuple[int, bytes]]:
        status, data = conn.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
        if status != "OK":
            raise ImapError(key="imap.fetch", where=self.display_name, detail=data)
        found: list[tuple[int, bytes]] = []
        for item in data:
            if not isinstance(item, tuple) or len(item) < 2:
                continue
            match = _UID_IN_FETCH.search(item[0])
            if match:
                found.append((int(match.group(1)), item[1]))
        return sorted(found)


def _uidvalidity(conn: imaplib.IMAP4) -> int:
    _, values = conn.response("UIDVALIDITY")
    for value in values or []:
        if value:
            return int(value)
    raise ImapError(key="imap.no_uidvalidity")


def _quote_mailbox(name: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9._/-]+", name):
        return name
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
