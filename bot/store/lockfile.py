"""One bot process per SQLite file: an exclusive lock held on `<database>.lock` while the store is open.

SQLite's own locking keeps the file consistent, but two bot processes on one file would each keep
their own view of the servers' articles and settings and never hear of the other's changes; that
is PostgreSQL's job (QA_DATABASE_URL). The lock is the kernel's (flock), so a process that dies,
even by SIGKILL, releases it; the pid written inside is only there for the message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bot.store.errors import StoreInUse


class ExclusiveFile:
    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = database.with_name(database.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise StoreInUse(
                f"{self.database} is in use by another bot process (pid {holder}). SQLite cannot be"
                " shared by several bot processes: stop the other one, give this one its own QA_DATA_DIR, or"
                " point every process at PostgreSQL with QA_DATABASE_URL."
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock; the file stays, harmless, for the next start
            self._fd = None
