"""A real PostgreSQL for the tests, started by the test session from the installed binaries.

`initdb` into a temporary folder, the server on 127.0.0.1 at a free port with its unix socket in
that folder, torn down at the end. PostgreSQL refuses to run as root, so as root the server runs
as the `postgres` user in a folder it owns. Where no binaries are found the tests that need the
server are skipped with the reason, unless QA_REQUIRE_POSTGRES=1 (CI), where they fail instead.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

NEEDED = ("initdb", "pg_ctl", "postgres", "createdb")
USER = "qa"  # the database superuser initdb creates; trust authentication, loopback only


def find_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin (Debian's layout), else initdb's folder on PATH."""

    def version(folder: str) -> float:
        try:
            return float(Path(folder).parent.name)
        except ValueError:
            return 0.0

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for folder in candidates:
        if all((Path(folder) / name).is_file() for name in NEEDED):
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="qa-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.root)
                _unavailable("running as root and there is no `postgres` user to run PostgreSQL as")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as_owner = ["runuser", "-u", "postgres", "--"]
        self._names = itertools.count()
        self._scratch: str | None = None

    def _run(self, *command: str, owner: bool = True) -> None:
        argv = [*(self._as_owner if owner else []), str(self.bindir / command[0]), *command[1:]]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=self.root)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{log}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")

    def start(self) -> None:
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.root}"
            # fsync off: only an OS crash could lose data; commits still reach the WAL, so a server
            # killed by the outage tests (immediate stop) recovers every committed row.
            " -c fsync=off -c full_page_writes=off -c max_connections=60"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def create_database(self) -> str:
        """A new empty database; its URL."""
        name = f"t{next(self._names)}"
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name, owner=False)
        return self.url(name)

    async def emptied(self) -> str:
        """The session's scratch database with every table dropped: as new, in a fraction of createdb's time."""
        if self._scratch is None:
            self._scratch = self.create_database().rsplit("/", 1)[1]
        connection = await asyncpg.connect(host="127.0.0.1", port=self.port, user=USER, database=self._scratch)
        try:
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            await connection.close()
        return self.url(self._scratch)

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        if self.running():
            try:
                self.stop("immediate")
            except RuntimeError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)


def _unavailable(reason: str) -> None:
    if os.environ.get("QA_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} (QA_REQUIRE_POSTGRES=1: these tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = find_bindir()
    if bindir is None:
        _unavailable(
            "no PostgreSQL binaries (initdb, pg_ctl, postgres, createdb) in /usr/lib/postgresql/*/bin or on PATH;"
            " install Debian's postgresql package to run these tests"
        )
    server = PostgresServer(bindir)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()
