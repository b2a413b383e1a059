"""Run a function over untrusted inputs in worker processes, so that a crash, runaway memory or a hang in a parser
costs that one input, never the run.

Each worker is handed one input at a time over its own pipe, so the parent always knows which input a dead or stuck
worker was on; that input gets `on_failure`'s result, the worker is replaced, and the others go on. Workers run
under a memory cap (RLIMIT_AS, where the platform has it) and a per-input timeout.
"""

from __future__ import annotations

import faulthandler
import multiprocessing as mp
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class WorkerLimits:
    memory_bytes: int | None = 3 * 1024**3
    timeout_seconds: float = 120.0


def _die_with_parent(parent_pid: int) -> None:
    """Linux: the kernel kills this worker when the process that started it dies, even by SIGKILL (a forked worker
    holds copies of its siblings' pipes, so it would never see its own pipe close and would wait for good)."""
    if sys.platform != "linux":
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL))
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def _worker(
    conn: Connection,
    func: Callable[[Any], Any],
    memory_bytes: int | None,
    parent_pid: int,
    inherited: Sequence[Connection] = (),
) -> None:
    _die_with_parent(parent_pid)
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole process group: the parent stops the
    # run and kills its workers; a worker's own KeyboardInterrupt would only print a traceback
    # a forked worker inherits the parent's SIGTERM handler (`core.signals`: raise Terminated); multiprocessing's exit
    # handler terminates a daemon worker the parent had not yet killed (one started as Ctrl+C came), and the worker
    # then printed that exception's traceback: a worker asked to end just ends
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for other in inherited:  # a forked worker's copies of the parent's ends of its own and its siblings' pipes:
        other.close()  # closed, so it sees its pipe's end of file when the parent is gone, on any platform
    # a parser abort is reported by the parent, not as pages of backtrace: neither Rust's nor the fault dump of a
    # faulthandler the worker inherited (pytest and `python -X faulthandler` turn it on)
    os.environ["RUST_BACKTRACE"] = "0"
    faulthandler.disable()
    if memory_bytes and sys.platform != "win32":
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent is gone (killed): nothing left to do
            return
        if task is None:
            return
        index, item = task
        try:
            conn.send((index, True, func(item)))
        except MemoryError:
            conn.send((index, False, "MemoryError"))
        except Exception as exc:  # the function's own errors: reported, the worker goes on
            conn.send((index, False, f"{type(exc).__name__}: {exc}"))


def map_isolated(
    func: Callable[[T], R],
    items: Sequence[T],
    on_failure: Callable[[T, str, str], R],
    workers: int | None = None,
    limits: WorkerLimits = WorkerLimits(),
) -> list[R]:
    """`[func(x) for x in items]`, each in a worker process; `on_failure(item, kind, detail)` stands in for a result
    when the call raised ("error"), the worker died ("crash") or took too long ("timeout")."""
    results: list[Any] = [None] * len(items)
    for index, result in iter_isolated(func, items, on_failure, workers, limits):
        results[index] = result
    return results


def iter_isolated(
    func: Callable[[T], R],
    items: Sequence[T],
    on_failure: Callable[[T, str, str], R],
    workers: int | None = None,
    limits: WorkerLimits = WorkerLimits(),
) -> Iterator[tuple[int, R]]:
    """Like `map_isolated`, but yields `(index, result)` as each result arrives (in no set order), so the caller
    can store it and let it go; the worker already has its next item while the caller handles one."""
    if not items:
        return
    ctx = mp.get_context("fork" if sys.platform == "linux" else "spawn")
    pending = deque(range(len(items)))
    busy: dict[Connection, tuple[Any, int, float]] = {}

    def start() -> None:
        parent, child = ctx.Pipe()
        inherited = [parent, *busy] if ctx.get_start_method() == "fork" else []  # spawned workers inherit none
        args = (child, func, limits.memory_bytes, os.getpid(), inherited)
        proc = ctx.Process(target=_worker, args=args, daemon=True)
        proc.start()
        child.close()
        hand_out(parent, proc)

    def hand_out(conn: Connection, proc: Any) -> None:
        if not pending:
            conn.send(None)
            conn.close()
            proc.join()
            return
        index = pending.popleft()
        conn.send((index, items[index]))
        busy[conn] = (proc, index, time.monotonic())

    def lost(conn: Connection, kind: str, detail: str) -> tuple[int, Any]:
        proc, index, _ = busy.pop(conn)
        if proc.is_alive():
            proc.kill()
        proc.join()
        conn.close()
        if pending:
            start()
        return index, on_failure(items[index], kind, detail)

    try:
        for _ in range(max(1, min(workers or os.cpu_count() or 1, len(items)))):
            start()
        while busy:
            sentinels = {proc.sentinel: conn for conn, (proc, _, _) in busy.items()}
            ready = set(wait([*busy, *sentinels], timeout=0.5))
            for conn in list(busy):
                proc, index, started = busy[conn]
                if conn in ready:
                    try:
                        got, ok, payload = conn.recv()
                    except (EOFError, OSError):
                        yield lost(conn, "crash", f"worker exited with code {proc.exitcode}")
                        continue
                    busy.pop(conn)
                    hand_out(conn, proc)
                    yield got, payload if ok else on_failure(items[got], "error", payload)
                elif proc.sentinel in ready:
                    proc.join()
                    yield lost(conn, "crash", f"worker exited with code {proc.exitcode}")
                elif time.monotonic() - started > limits.timeout_seconds:
                    yield lost(conn, "timeout", f"no result after {limits.timeout_seconds:g} s")
    finally:  # the caller stopped early (or failed): no worker outlives the run
        for proc, _, _ in busy.values():
            proc.kill()
            proc.join()
