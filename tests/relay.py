"""A TCP relay in front of the real PostgreSQL server that can go away and come back.

Not a fake of the database: every byte goes to the real server. `down()` does to the
clients what a server restart does: their open connections break and new ones fail until
`up()`. `terminate_others` ends the connections on the server itself, as an administrator
or a crash of the backend would.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url


class TcpRelay:
    def __init__(self, host: str, port: int, *, listen: tuple[str, int] = ("127.0.0.1", 0)) -> None:
        self._target = (host, port)
        self._server = socket.create_server(listen)
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

    @classmethod
    def for_url(cls, url: str) -> TcpRelay:
        """A relay in front of the server of database URL `url`."""
        parsed = make_url(url)
        return cls(parsed.host or "127.0.0.1", parsed.port or 5432)

    def url(self, url: str) -> str:
        """`url`, going through this relay."""
        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(False)

    def __enter__(self) -> TcpRelay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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


class NetworkLink:
    """A path to the server across a virtual network link that can be cut silently.

    The client connects to a relay inside a network namespace of its own; the relay reaches
    the server over a veth pair. `cut()` takes the far end of the link down: packets vanish
    without a reset or an error, as when the Wi-Fi drops. Needs root and iproute2;
    `NetworkLink.unavailable()` says why not.
    """

    def __init__(self, host: str, port: int) -> None:
        tag = uuid.uuid4().hex[:6]
        self.namespace = f"moderator-{tag}"
        self._near, self._far = f"mn{tag}", f"mf{tag}"
        a, b = random.randint(64, 127), random.randint(0, 255)
        near_ip, self.host = f"10.{a}.{b}.1", f"10.{a}.{b}.2"
        self.port = 6432
        self._relay: TcpRelay | None = None
        self._process: subprocess.Popen[str] | None = None
        try:
            _ip("netns", "add", self.namespace)
            _ip("link", "add", self._near, "type", "veth", "peer", "name", self._far)
            _ip("link", "set", self._far, "netns", self.namespace)
            _ip("addr", "add", f"{near_ip}/30", "dev", self._near)
            _ip("link", "set", self._near, "up")
            _ip("-n", self.namespace, "addr", "add", f"{self.host}/30", "dev", self._far)
            _ip("-n", self.namespace, "link", "set", self._far, "up")
            _ip("-n", self.namespace, "link", "set", "lo", "up")
            self._relay = TcpRelay(host, port, listen=(near_ip, 0))
            self._process = subprocess.Popen(
                [
                    *("ip", "netns", "exec", self.namespace, sys.executable, "-m", "tests.relay"),
                    *(self.host, str(self.port), near_ip, str(self._relay.port)),
                ],
                cwd=Path(__file__).resolve().parent.parent,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert self._process.stdout is not None
            if self._process.stdout.readline().strip() != "ready":
                raise RuntimeError("the relay in the network namespace did not start")
        except BaseException:
            self.close()
            raise

    @classmethod
    def for_url(cls, url: str) -> NetworkLink:
        parsed = make_url(url)
        return cls(parsed.host or "127.0.0.1", parsed.port or 5432)

    def url(self, url: str) -> str:
        """`url`, going across this link."""
        return make_url(url).set(host=self.host, port=self.port).render_as_string(False)

    def __enter__(self) -> NetworkLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def unavailable() -> str | None:
        if os.geteuid() != 0:
            return "needs root to create a network namespace"
        if shutil.which("ip") is None or shutil.which("ss") is None:
            return "needs iproute2 (`ip`, `ss`)"
        probe = f"moderator-probe-{uuid.uuid4().hex[:6]}"
        try:
            _ip("netns", "add", probe)  # a container may forbid network namespaces
        except RuntimeError as exc:
            return f"cannot create a network namespace here: {exc}"
        _ip("netns", "del", probe)
        return None

    def cut(self) -> None:
        _ip("-n", self.namespace, "link", "set", self._far, "down")

    def restore(self) -> None:
        _ip("-n", self.namespace, "link", "set", self._far, "up")

    def close(self) -> None:
        # Abort the client sockets still waiting on the dead link (after a failed test they
        # would hold their threads, and so the end of the test run, for the kernel's timeout).
        subprocess.run(["ss", "-K", "dst", self.host], capture_output=True, check=False)
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=5)
        subprocess.run(["ip", "netns", "del", self.namespace], capture_output=True, check=False)
        subprocess.run(["ip", "link", "del", self._near], capture_output=True, check=False)
        if self._relay is not None:
            self._relay.close()


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


if __name__ == "__main__":  # the relay inside the network namespace
    listen_host, listen_port, target_host, target_port = sys.argv[1:5]
    relay = TcpRelay(target_host, int(target_port), listen=(listen_host, int(listen_port)))
    print("ready", flush=True)
    threading.Event().wait()
