"""The service lock: a running server and a restore never share a data folder.

A restore under a running server lost acknowledged writes (13 of 314
progress updates were in neither the restored database nor the copy kept
before it). ``saferplaces serve`` therefore holds a shared lock on
``service.lock`` in the data folder for the server's life, and a restore
takes it exclusively, so it is refused while any server holds it, and no
server starts while a restore runs. The lock is the kernel's (``flock``):
it goes when the last process holding it ends, however it ends (kill -9
included), so a crashed server never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "service.lock"


class ServiceBusy(Exception):
    """The lock is held the other way; the message says what to do."""


def _open(data_dir: Path) -> int:
    data_dir.mkdir(parents=True, exist_ok=True)
    return os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)


def hold_for_serving(data_dir: Path) -> int:
    """Take the shared lock for a server and return its descriptor, kept
    open across ``exec`` so the server process (and its workers) hold it."""
    descriptor = _open(data_dir)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise ServiceBusy(
            f"a restore into {data_dir} is under way: start the service when "
            "it has finished"
        ) from None
    os.set_inheritable(descriptor, True)
    return descriptor


@contextmanager
def held_for_restore(data_dir: Path) -> Iterator[None]:
    """Hold the lock exclusively: refused while a server holds it."""
    descriptor = _open(data_dir)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServiceBusy(
                f"a saferplaces server is running on {data_dir}: stop the "
                "service first (every `saferplaces serve` using this data "
                "folder), then restore"
            ) from None
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
