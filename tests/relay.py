"""A TCP relay in front of the real PostgreSQL server that can go away and come back.

Not a fake of the database: every byte goes to the real server. `down()` does to the
clients what a server restart does: their open connections break and new ones fail until
`up()`. `terminate_others` ends the connections on the server itself, as an administrator
or a crash of the backend would.
"""

from __future__ import annotations

import contextlib
import socket
import threading

import psycopg
from sqlalchemy.engine import make_url


class TcpRelay:
    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port: int = self._server.getsockname()[1]
        self._up = threading.Event()
        self._up.set()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self.accepted = 0  # connections relayed, a reconnect shows as a new one
        self._thread = threading.Thread(target=self._accept, name="relay", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._up.is_set():
                client.close()  # the server is "restarting"
                continue
            try:
                upstream = socket.create_connection(self._target, timeout=3)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._open |= {client, upstream}
                self.accepted += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self._lock:
                self._open.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def down(self) -> None:
        """Break every relayed connection and refuse new ones."""
        self._up.clear()
        with self._lock:
            open_now = list(self._open)
        self._drop(*open_now)

    def up(self) -> None:
        self._up.set()

    def close(self) -> None:
        self._closed.set()
        self.down()
        self._server.close()
        self._thread.join(timeout=2)


def terminate_others(url: str) -> int:
    """Kill every other backend on the test database, as a server restart would."""
    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (parsed.database,),
        ).fetchall()
    return sum(1 for (ok,) in rows if ok)
