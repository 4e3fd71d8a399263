"""No lost update: the lock files Excel and LibreOffice use, and a file's fingerprint.

While xlsheets reads a workbook to write it back (``--in-place``), or replaces a workbook, it holds
the two lock files an office program leaves beside an open file: LibreOffice's ``.~lock.NAME#``
(which LibreOffice checks before opening) and Excel's owner file ``~$NAME`` (where Excel looks up
who has a file open). Another xlsheets process that finds them refuses, as it does for a file open in
Excel or LibreOffice. A lock that xlsheets left behind (its process ended on this machine, or it is
older than STALE_AFTER) is stale: it is removed and taken. Before replacing the file, xlsheets checks
that it is still the file it read (size, modification time and SHA-256), so that a writer that
ignores locks is noticed too.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import ChangedMeanwhile, XlsheetsError

OWNER = "xlsheets"
STALE_AFTER = 3600.0  # seconds: no write of xlsheets holds a lock this long
_MARK = re.compile(r"xlsheets-pid-(\d+)@([^;,\s]+)")
_HELD: dict[Path, int] = {}  # files whose locks this process holds → the thread that holds them


@dataclass(frozen=True)
class Fingerprint:
    """What a file was when it was read: replaced only while it still is."""

    size: int
    mtime_ns: int
    sha256: str


def fingerprint(path: Path) -> Fingerprint:
    st = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return Fingerprint(st.st_size, st.st_mtime_ns, digest.hexdigest())


def check_unchanged(path: Path, expected: Fingerprint | None) -> None:
    """Refuse (nothing written) when path is no longer the file that was read."""
    if expected is not None and (not path.exists() or fingerprint(path) != expected):
        raise ChangedMeanwhile("ほかの人（または別の処理）がこのファイルを変更しました。もう一度実行してください。"
                               f"（{path.name} は書き換えていません）",
                               f"{path.name} changed since it was read: nothing written, run again")


def lock_paths(path: Path) -> tuple[Path, Path]:
    """(LibreOffice's lock, Excel's owner file) for path."""
    return path.with_name(".~lock." + path.name + "#"), path.with_name("~$" + path.name)


def lock_files(path: Path) -> list[Path]:
    """Lock files beside path that someone else holds (Excel drops the first two characters of long names)."""
    cands = [*lock_paths(path)]
    if len(path.name) > 2:
        cands.append(path.with_name("~$" + path.name[2:]))
    return [p for p in cands if p.exists() and not held_here(p, path)]


def held_here(lock: Path, path: Path) -> bool:
    """The lock is one this thread took for path."""
    return (_HELD.get(_key(path)) == threading.get_ident() and lock in lock_paths(path)
            and _owner(lock) == (os.getpid(), socket.gethostname()))


def _key(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _contents(kind: int) -> bytes:
    """LibreOffice's lock line, or Excel's owner file, naming xlsheets and this process."""
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "user"
    host = socket.gethostname()
    mark = f"xlsheets-pid-{os.getpid()}@{host}"
    if kind == 0:  # ,user,host,date,url; (LibreOffice shows the first field as who has it open)
        when = _dt.datetime.now().strftime("%d.%m.%Y %H:%M")
        return f"{OWNER},{user},{host},{when},{mark};".encode()
    name = OWNER.encode("ascii")  # Excel: length byte, name padded to 54 bytes, then the name in UTF-16
    wide = f"{OWNER} {mark};".ljust(54).encode("utf-16-le")
    return bytes([len(name)]) + name.ljust(53, b" ") + len(OWNER).to_bytes(2, "little") + wide + b" "


def _owner(lock: Path) -> tuple[int, str] | None:
    """(pid, host) of an xlsheets lock; None for one that Excel or LibreOffice wrote (or unreadable)."""
    data = b""
    for _attempt in range(40):  # an empty lock is one being written this instant (office locks never are)
        try:
            data = lock.read_bytes()[:512]
        except OSError:
            return None
        if data:
            break
        time.sleep(0.025)
    m = _MARK.search(data.decode("latin-1")) or _MARK.search(data.decode("utf-16-le", "ignore"))
    return (int(m.group(1)), m.group(2)) if m else None


def is_stale(lock: Path) -> bool:
    """An xlsheets lock whose process has ended on this machine, or that is older than STALE_AFTER."""
    owner = _owner(lock)
    if owner is None:
        return False  # Excel's or LibreOffice's: only the person who has the file open knows
    try:
        age = time.time() - lock.stat().st_mtime
    except OSError:
        return True
    pid, host = owner
    return age > STALE_AFTER or (host == socket.gethostname() and not _alive(pid))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - Windows: ask for a handle
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)
        return bool(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _take(lock: Path, kind: int) -> bool:
    """Create lock (atomically: only one process can); a stale one is replaced. False when someone holds it."""
    for _attempt in range(2):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if not is_stale(lock):
                return False
            lock.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(_contents(kind))
        return True
    return False


def refusal(path: Path, lock: Path) -> XlsheetsError:
    if _owner(lock) is not None:
        return XlsheetsError(f"ほかの人（または別の処理）が xlsheets で {path.name} に書き込んでいます。終わってから、"
                             f"もう一度実行してください（{lock.name}）。",
                             f"another xlsheets process is writing {path.name}: run again when it has finished")
    return XlsheetsError(
        f"{path.name} は Excel か LibreOffice で開かれています。閉じてからもう一度実行してください（{lock.name}）。"
        f"だれも開いていないのにこの表示が出るときは、{lock.name} を削除してください。",
        f"{path.name} is open in Excel or LibreOffice ({lock.name})")


@contextmanager
def edit_lock(path: str | Path) -> Iterator[Fingerprint | None]:
    """Hold the lock files of path while xlsheets reads and replaces it; yields what the file is now
    (None when it does not exist yet). Refuses (XlsheetsError) when someone else holds them; removes
    them afterwards. Re-entrant within a thread."""
    path = Path(path)
    if _HELD.get(_key(path)) == threading.get_ident():
        yield fingerprint(path) if path.exists() else None
        return
    refused = [p for p in lock_files(path) if not is_stale(p)]
    if refused:
        raise refusal(path, refused[0])
    made: list[Path] = []
    try:
        for kind, lock in enumerate(lock_paths(path)):
            if not _take(lock, kind):
                raise refusal(path, lock)
            made.append(lock)
        _HELD[_key(path)] = threading.get_ident()
        yield fingerprint(path) if path.exists() else None
    finally:
        if made:
            _HELD.pop(_key(path), None)
        for lock in made:
            if _owner(lock) == (os.getpid(), socket.gethostname()):
                lock.unlink(missing_ok=True)


__all__ = ["Fingerprint", "check_unchanged", "edit_lock", "fingerprint", "is_stale", "lock_files", "refusal"]
