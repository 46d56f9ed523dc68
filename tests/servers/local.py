"""PostgreSQL and Redis servers started by the test suite: Debian's binaries, on loopback, in a
temporary directory, stopped (and removed) afterwards. `tests/servers/install.sh` (run by
`make test`) installs the packages when missing.

PostgreSQL refuses to run as root: as root the server runs as Debian's `postgres` user (`runuser`).
Outage tests stop and start a server in place: same port, same data, as a real restart would be.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import psycopg

SERVER_USER = "postgres"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def missing_servers() -> list[str]:
    return [name for name, present in (("postgresql", postgres_bin()), ("redis-server", shutil.which("redis-server")))
            if not present]


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{command[:6]} failed ({result.returncode}): {result.stdout[-2000:]} {result.stderr[-2000:]}")


def _signal(pids: list[int], number: int) -> None:
    for pid in pids:
        os.kill(pid, number)


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """A throwaway cluster with a password-protected superuser `cds` (scram-sha-256, as in production).
    `base` must be a directory of its own that the server user can reach (e.g. from tempfile.mkdtemp,
    not under pytest's root-only temporary directory): it is handed to that user."""

    def __init__(self, base: Path) -> None:
        self.bin = postgres_bin()
        assert self.bin is not None, "PostgreSQL is not installed (tests/servers/install.sh)"
        self.base = base
        self.data = base / "data"
        self.port = free_port()
        self.password = secrets.token_urlsafe(16)
        self._databases = 0
        base.mkdir(parents=True, exist_ok=True)
        password_file = base / "password"
        password_file.write_text(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(base, SERVER_USER)
            shutil.chown(password_file, SERVER_USER)
        _run(_as_server_user([
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "cds", f"--pwfile={password_file}",
            "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync",
        ]))
        password_file.unlink()

    def start(self) -> None:
        # fsync off: the servers are thrown away, and the service's durability (commit before answering) does not
        # depend on it; it makes CREATE DATABASE per test and shutdown fast on a shared test machine.
        options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=200 "
                   "-c fsync=off")
        _run(_as_server_user([
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "server.log"), "-o", options,
            "-w", "-t", "30", "start",
        ]))

    def stop(self) -> None:
        _run(_as_server_user([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]))

    def processes(self) -> list[int]:
        """The postmaster and its children (backends, background workers)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        return [postmaster, *map(int, children)]

    def hang(self) -> list[int]:
        """Stop every process of the server (SIGSTOP): connections stay open, nothing answers. Returns them
        for `resume`."""
        stopped = self.processes()
        _signal(stopped, signal.SIGSTOP)
        return stopped

    def resume(self, stopped: list[int]) -> None:
        _signal(stopped, signal.SIGCONT)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://cds:{self.password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database's URL."""
        self._databases += 1
        name = f"test_{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)


class RedisServer:
    """redis-server on a loopback port, without persistence (a restart forgets every key, the worst
    case for the replay cache)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        base.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.base), "--protected-mode", "yes", "--logfile", str(self.base / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def hang(self) -> list[int]:
        assert self._process is not None
        _signal([self._process.pid], signal.SIGSTOP)
        return [self._process.pid]

    def resume(self, stopped: list[int]) -> None:
        _signal(stopped, signal.SIGCONT)

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"
