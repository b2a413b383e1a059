"""One writer at a time: a lock per output folder that also works on a network drive shared by several PCs.

The lock is a file created exclusively (`O_CREAT | O_EXCL`, which SMB and NFS honour, unlike OS byte-range locks)
in the folder itself, holding JSON: host, pid, purpose, start time and a heartbeat refreshed by a daemon thread.
A lock is stale when its heartbeat is older than `STALE_AFTER` seconds, or — on this host only — when its pid is
dead (a pid from another PC proves nothing). A stale lock is taken over without a race: it is renamed to a unique
name (only one taker can win that rename), checked to be the one judged stale, and the exclusive create retried.
Nesting in one thread for the same folder is re-entrant; another thread or process is refused (`FolderLocked`).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from analysis.core.outputs import writing_into

LOCK_FILE = ".dang-su-dung.lock"
HEARTBEAT_SECONDS = 10.0
STALE_AFTER = 120.0  # generous: a clock difference between PCs of a minute must not break a live lock
POLL_SECONDS = 0.2
PURPOSES = {"ingest": "đọc dữ liệu gốc (ingest)", "report": "lập báo cáo (report)"}


class FolderLocked(RuntimeError):
    """Another run holds the folder's lock (or this run lost it); the message says who, in Vietnamese."""

    def __init__(self, folder: Path, holder: dict[str, Any], lost: bool = False) -> None:
        self.folder, self.holder = folder, holder
        super().__init__(_lost_message(folder, holder) if lost else _held_message(folder, holder))


def _who(holder: dict[str, Any]) -> str:
    purpose = PURPOSES.get(str(holder.get("purpose")), str(holder.get("purpose") or "không rõ"))
    started = _local(holder.get("started"))
    beat = holder.get("heartbeat")
    age = f", tín hiệu gần nhất {max(0, round(time.time() - beat))} giây trước" if isinstance(beat, int | float) else ""
    return f"máy {holder.get('host') or 'không rõ'}, pid {holder.get('pid') or 'không rõ'}, việc: {purpose}, " + (
        f"bắt đầu lúc {started}{age}"
    )


def _held_message(folder: Path, holder: dict[str, Any]) -> str:
    return (
        f"Thư mục {folder} đang được một lần chạy khác sử dụng ({_who(holder)}). "
        "Hãy đợi lần chạy đó kết thúc rồi chạy lại. Nếu lần chạy đó đã dừng bất thường (máy bị tắt, chương trình bị "
        f"đóng), khoá tự hết hiệu lực sau {STALE_AFTER / 60:g} phút không có tín hiệu (tệp khoá: {folder / LOCK_FILE})."
    )


def _lost_message(folder: Path, holder: dict[str, Any]) -> str:
    return (
        f"Lần chạy này đã mất quyền ghi vào thư mục {folder} (máy tạm dừng quá lâu?); một lần chạy khác đã tiếp quản "
        f"({_who(holder)}). Kết quả của lần chạy này không được ghi; hãy chạy lại sau khi lần chạy kia kết thúc."
    )


def _local(stamp: object) -> str:
    """An ISO time as 'HH:MM:SS ngày DD/MM/YYYY' (local time), or the text as it is."""
    try:
        moment = datetime.fromisoformat(str(stamp)).astimezone()
    except ValueError:
        return str(stamp or "không rõ")
    return moment.strftime("%H:%M:%S ngày %d/%m/%Y")


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid runs on this host (never signals it: on Windows os.kill would end it)."""
    if pid <= 0:
        return False
    if os.name == "nt":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def read_holder(path: Path) -> dict[str, Any] | None:
    """The lock file's content; None when there is none; {} when it cannot be read (being written, damaged)."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_stale(holder: dict[str, Any], path: Path, now: float | None = None) -> bool:
    """Stale: its heartbeat (or, unreadable, the file's time) is older than STALE_AFTER, or it is from this host
    and its pid is dead."""
    now = time.time() if now is None else now
    beat = holder.get("heartbeat")
    if not isinstance(beat, int | float):
        try:
            beat = path.stat().st_mtime
        except OSError:
            return False
    if now - beat > STALE_AFTER:
        return True
    pid = holder.get("pid")
    return holder.get("host") == socket.gethostname() and isinstance(pid, int) and not pid_alive(pid)


class _Held:
    """A lock this process holds: its open file, its token, the heartbeat thread and the nesting depth."""

    def __init__(self, path: Path, fd: int, content: dict[str, Any]) -> None:
        self.path, self.fd, self.content = path, fd, content
        self.thread_id, self.pid, self.depth = threading.get_ident(), os.getpid(), 1
        self.lost: dict[str, Any] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lock-heartbeat {path.parent.name}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            self.content["heartbeat"] = time.time()
            with contextlib.suppress(OSError):  # written in place: never onto a file another run created
                _write_fd(self.fd, self.content)
            holder = read_holder(self.path)
            if holder and holder.get("token") != self.content["token"]:
                self.lost = holder

    def release(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        os.close(self.fd)
        holder = read_holder(self.path)
        if holder and holder.get("token") == self.content["token"]:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


_held: dict[str, _Held] = {}
_held_guard = threading.Lock()


def _write_fd(fd: int, content: dict[str, Any]) -> None:
    data = json.dumps(content, ensure_ascii=False, indent=1).encode("utf-8")
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, data)
    os.ftruncate(fd, len(data))


def _content(purpose: str) -> dict[str, Any]:
    now = time.time()
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "purpose": purpose,
        "started": datetime.fromtimestamp(now).astimezone().isoformat(timespec="seconds"),
        "heartbeat": now,
        "token": uuid.uuid4().hex,
    }


def _try_create(path: Path, purpose: str) -> _Held | None:
    """Create the lock file exclusively; None when it exists."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    except FileExistsError:
        return None
    content = _content(purpose)
    try:
        _write_fd(fd, content)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    return _Held(path, fd, content)


def _take_over(path: Path, stale: dict[str, Any]) -> bool:
    """Move a stale lock aside; if another taker replaced it first (token differs), put theirs back. False when
    it cannot be moved (Windows: its holder still has it open, so it is not dead after all)."""
    aside = path.with_name(f"{path.name}.cu-{uuid.uuid4().hex[:12]}")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return True  # someone else moved it first: just retry
    except PermissionError:
        return False
    moved = read_holder(aside) or {}
    if stale and moved.get("token") != stale.get("token"):
        _put_back(aside, path)
        return True
    aside.unlink(missing_ok=True)
    return True


def _put_back(aside: Path, path: Path) -> None:
    """Restore a lock moved aside by mistake, unless yet another lock has been created meanwhile."""
    try:
        os.link(aside, path)
    except FileExistsError:
        pass
    except OSError:  # no hard links on this file system
        if not path.exists():
            with contextlib.suppress(OSError):
                os.rename(aside, path)
    aside.unlink(missing_ok=True)


def _acquire(path: Path, purpose: str, wait: float) -> _Held:
    deadline = time.monotonic() + wait
    while True:
        held = _try_create(path, purpose)
        if held is not None:
            return held
        holder = read_holder(path)
        if holder is None:
            continue  # released just now
        if is_stale(holder, path) and _take_over(path, holder):
            continue
        if time.monotonic() >= deadline:
            raise FolderLocked(path.parent, holder)
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))


@contextlib.contextmanager
def folder_lock(folder: str | Path, purpose: str, wait: float = 0.0) -> Iterator[Path]:
    """Hold `folder`'s lock for the block (created if missing); wait up to `wait` seconds for another run to end,
    then raise FolderLocked naming it. Yields the folder."""
    folder = Path(folder)
    with writing_into(folder):
        folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    key = str(path.resolve())
    with _held_guard:
        mine = _held.get(key)
        nested = mine is not None and mine.thread_id == threading.get_ident() and mine.pid == os.getpid()
        if nested:
            mine.depth += 1
    if nested:
        try:
            yield folder
        finally:
            mine.depth -= 1
        return
    with writing_into(folder):
        held = _acquire(path, purpose, wait)
    with _held_guard:
        _held[key] = held
    try:
        yield folder
    finally:
        with _held_guard:
            _held.pop(key, None)
        held.release()


def assert_held(folder: str | Path) -> None:
    """Raise FolderLocked when this thread took `folder`'s lock but another run has taken it over since (this
    process was suspended past the stale limit); nothing when this thread does not hold it."""
    path = Path(folder) / LOCK_FILE
    held = _held.get(str(path.resolve()))
    if held is None or held.thread_id != threading.get_ident():
        return
    holder = read_holder(path)
    if held.lost or holder is None or (holder and holder.get("token") != held.content["token"]):
        raise FolderLocked(Path(folder), held.lost or holder or {}, lost=True)
