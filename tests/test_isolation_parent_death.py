"""A parent killed with SIGKILL takes its parser workers with it: no worker waits for good on a pipe that a sibling
keeps open (forked workers hold copies of each other's pipes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    from analysis.ingest.isolation import iter_isolated

    def slow(x):
        os.write(1, f"{os.getpid()}\\n".encode())  # who it is, once it has an item; one write: lines never interleave
        time.sleep(60)
        return x

    for _ in iter_isolated(slow, list(range(4)), lambda item, kind, detail: None, workers=2):
        pass
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="the kernel's parent-death signal is Linux only")
def test_workers_die_with_a_killed_parent() -> None:
    parent = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    workers = [int(parent.stdout.readline()) for _ in range(2)]
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in workers if _alive(pid)]
    assert not alive, f"workers {alive} outlived their killed parent"


WAITING = textwrap.dedent(
    """
    import os, time
    from analysis.ingest import isolation

    isolation._die_with_parent = lambda parent_pid: None  # what other platforms have: no parent-death signal

    def quick(x):
        os.write(1, f"{os.getpid()}\\n".encode())  # one write: two workers never interleave their lines
        return x

    for _ in isolation.iter_isolated(quick, list(range(8)), lambda item, kind, detail: None, workers=2):
        time.sleep(60)  # the parent is busy with the first result; both workers wait for their next item
    """
)


def test_waiting_workers_see_their_pipe_close_when_the_parent_is_killed() -> None:
    """Without the parent-death signal a worker still ends: it holds no copy of the parent's end of any pipe, so its
    read sees end of file when the parent is gone (before, each waited for good, blocked in that read)."""
    parent = subprocess.Popen([sys.executable, "-c", WAITING], stdout=subprocess.PIPE, text=True)
    workers: set[int] = set()
    while len(workers) < 2:
        workers.add(int(parent.stdout.readline()))
    time.sleep(0.5)  # both have answered and wait in their pipe reads
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    alive = sorted(workers)
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in alive if _alive(pid)]
    assert not alive, f"workers {alive} outlived their killed parent"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split()[2] != "Z"  # a zombie waits only for init to reap it
    except FileNotFoundError:
        return False
    except OSError:
        return os.path.exists(f"/proc/{pid}")


@pytest.mark.skipif(sys.platform != "linux", reason="forked workers: Linux")
def test_a_worker_asked_to_end_ends_without_a_traceback(capfd):
    """multiprocessing's exit handler sends SIGTERM to a daemon worker still alive; a forked worker inherited the
    run's SIGTERM handler (raise Terminated) and printed its traceback under a clean Ctrl+C message."""
    import multiprocessing as mp

    from analysis.core.signals import sigterm_as_interrupt
    from analysis.ingest import isolation

    ctx = mp.get_context("fork")
    with sigterm_as_interrupt():  # as the ingest command runs
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=isolation._worker, args=(child, str, None, os.getpid()), daemon=True)
        proc.start()
        parent.send((0, 7))
        assert parent.recv() == (0, True, "7")  # at work: its handlers are set
        proc.terminate()
        proc.join(10)
    assert proc.exitcode == -signal.SIGTERM
    assert "Traceback" not in capfd.readouterr().err
