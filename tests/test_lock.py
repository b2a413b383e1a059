"""One writer at a time: the output folder's lock refuses a second run (naming the first), takes over a stale lock
(dead pid on this host; old heartbeat from any host), respects a live one from another PC, and is re-entrant."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from analysis.core import lock
from analysis.core.config import project_root
from analysis.core.lock import LOCK_FILE, FolderLocked, assert_held, folder_lock
from analysis.core.outputs import OutputFolderError

HOLD = """
import sys
from analysis.core.lock import folder_lock
with folder_lock(sys.argv[1], purpose="ingest"):
    print("held", flush=True)
    sys.stdin.read()
"""


class Holder:
    """Another process holding a folder's lock until `release`."""

    def __init__(self, folder: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(folder)],
            cwd=project_root(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout.readline().strip() == "held"

    def release(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


@pytest.fixture
def holder(tmp_path):
    held = Holder(tmp_path / "out")
    yield held
    if held.proc.poll() is None:
        held.release()


def write_lock(folder: Path, **fields) -> Path:
    """A lock file as another run would have left it."""
    folder.mkdir(parents=True, exist_ok=True)
    content = {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "purpose": "report",
        "started": "2026-01-02T08:30:00+07:00",
        "heartbeat": time.time(),
        "token": "theirs",
    }
    content.update(fields)
    path = folder / LOCK_FILE
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_second_run_is_refused_with_a_message_naming_the_first(holder, tmp_path):
    with pytest.raises(FolderLocked) as refused, folder_lock(tmp_path / "out", purpose="report"):
        pytest.fail("the lock was taken twice")
    message = str(refused.value)
    assert f"máy {socket.gethostname()}" in message
    assert f"pid {holder.proc.pid}" in message
    assert "đọc dữ liệu gốc (ingest)" in message and "bắt đầu lúc" in message
    assert "Hãy đợi" in message and "tự hết hiệu lực" in message and LOCK_FILE in message
    holder.release()
    with folder_lock(tmp_path / "out", purpose="report"):  # free again once the first run has ended
        pass


def test_the_lock_file_is_removed_on_exit_and_on_failure(tmp_path):
    with folder_lock(tmp_path, purpose="ingest"):
        content = json.loads((tmp_path / LOCK_FILE).read_text(encoding="utf-8"))
        assert (content["host"], content["pid"], content["purpose"]) == (socket.gethostname(), os.getpid(), "ingest")
        assert {"started", "heartbeat", "token"} <= set(content)
    assert not (tmp_path / LOCK_FILE).exists()
    with pytest.raises(RuntimeError), folder_lock(tmp_path, purpose="ingest"):
        raise RuntimeError("hỏng")
    assert not (tmp_path / LOCK_FILE).exists()


def test_the_lock_creates_a_missing_folder(tmp_path):
    with folder_lock(tmp_path / "a" / "b", purpose="ingest") as folder:
        assert (folder / LOCK_FILE).is_file()


def test_nesting_in_one_thread_is_reentrant(tmp_path):
    with folder_lock(tmp_path, purpose="report"):
        with folder_lock(tmp_path, purpose="ingest"):
            assert (tmp_path / LOCK_FILE).is_file()
        assert (tmp_path / LOCK_FILE).is_file()  # still held by the outer block
    assert not (tmp_path / LOCK_FILE).exists()


def test_another_thread_of_the_same_process_is_refused(tmp_path):
    errors: list[BaseException] = []

    def other() -> None:
        try:
            with folder_lock(tmp_path, purpose="ingest"):
                pass
        except FolderLocked as exc:
            errors.append(exc)

    with folder_lock(tmp_path, purpose="ingest"):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert len(errors) == 1 and f"pid {os.getpid()}" in str(errors[0])


def test_waiting_lets_the_other_run_finish_first(tmp_path):
    taken, release = threading.Event(), threading.Event()

    def first() -> None:
        with folder_lock(tmp_path, purpose="ingest"):
            taken.set()
            release.wait(60)

    thread = threading.Thread(target=first)
    thread.start()
    taken.wait(60)
    threading.Timer(0.3, release.set).start()
    with folder_lock(tmp_path, purpose="ingest", wait=60):
        assert release.is_set()  # taken only after the first run let go
    thread.join()


def test_a_lock_left_by_a_dead_process_on_this_host_is_taken_over(tmp_path):
    write_lock(tmp_path, pid=dead_pid())
    with folder_lock(tmp_path, purpose="ingest"):
        assert json.loads((tmp_path / LOCK_FILE).read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # the stale file moved aside and removed


def test_a_live_lock_on_this_host_is_respected(tmp_path):
    write_lock(tmp_path, pid=os.getppid())  # alive: the process that started the tests
    with pytest.raises(FolderLocked, match=f"pid {os.getppid()}"), folder_lock(tmp_path, purpose="ingest"):
        pass


def test_a_lock_from_another_host_with_a_fresh_heartbeat_is_respected(tmp_path):
    write_lock(tmp_path, host="MAY-KE-TOAN-02", pid=dead_pid())  # its pid means nothing here
    with pytest.raises(FolderLocked) as refused, folder_lock(tmp_path, purpose="ingest"):
        pass
    assert "máy MAY-KE-TOAN-02" in str(refused.value) and "lập báo cáo (report)" in str(refused.value)
    assert "bắt đầu lúc" in str(refused.value) and "ngày 02/01/2026" in str(refused.value)


def test_a_lock_from_another_host_with_an_old_heartbeat_is_taken_over(tmp_path):
    write_lock(tmp_path, host="MAY-KE-TOAN-02", heartbeat=time.time() - lock.STALE_AFTER - 60)
    with folder_lock(tmp_path, purpose="ingest"):
        assert json.loads((tmp_path / LOCK_FILE).read_text(encoding="utf-8"))["host"] == socket.gethostname()


def test_an_unreadable_lock_file_counts_by_its_age(tmp_path):
    path = tmp_path / LOCK_FILE
    path.write_bytes(b"")  # being written by its creator, or damaged
    with pytest.raises(FolderLocked, match="không rõ"), folder_lock(tmp_path, purpose="ingest"):
        pass
    old = time.time() - lock.STALE_AFTER - 60
    os.utime(path, (old, old))
    with folder_lock(tmp_path, purpose="ingest"):
        pass


def test_taking_over_never_removes_a_lock_created_after_the_stale_one_was_read(tmp_path):
    stale = json.loads(write_lock(tmp_path, pid=dead_pid(), token="old").read_text(encoding="utf-8"))
    fresh = write_lock(tmp_path, token="new")  # another taker won the race meanwhile
    lock._take_over(fresh, stale)
    assert json.loads(fresh.read_text(encoding="utf-8"))["token"] == "new"
    assert [p.name for p in tmp_path.iterdir()] == [LOCK_FILE]


def test_a_lock_taken_over_meanwhile_is_not_removed_and_the_run_learns_it_lost_it(tmp_path):
    with folder_lock(tmp_path, purpose="ingest"):
        assert_held(tmp_path)  # ours: nothing to say
        write_lock(tmp_path, host="MAY-KHAC", token="theirs")  # this run was overtaken (suspended too long)
        with pytest.raises(FolderLocked, match="mất quyền ghi") as lost:
            assert_held(tmp_path)
        assert "MAY-KHAC" in str(lost.value)
    assert json.loads((tmp_path / LOCK_FILE).read_text(encoding="utf-8"))["token"] == "theirs"


def test_a_folder_where_the_lock_cannot_be_created_gives_the_output_folder_message(tmp_path, monkeypatch):
    def refuse(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(lock.os, "open", refuse)
    with pytest.raises(OutputFolderError, match="không có quyền ghi") as refused, folder_lock(tmp_path, "ingest"):
        pass
    assert str(tmp_path) in str(refused.value)


def test_the_heartbeat_is_refreshed_while_the_lock_is_held(tmp_path, monkeypatch):
    monkeypatch.setattr(lock, "HEARTBEAT_SECONDS", 0.05)
    with folder_lock(tmp_path, purpose="ingest"):
        first = json.loads((tmp_path / LOCK_FILE).read_text(encoding="utf-8"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = lock.read_holder(tmp_path / LOCK_FILE)
            if now and now["heartbeat"] > first["heartbeat"]:
                break
            time.sleep(0.05)
        assert now["heartbeat"] > first["heartbeat"] and now["token"] == first["token"]
