"""SIGTERM handled as Ctrl+C: what `kill PID`, a service manager or a closing terminal sends ends a run the same
clean way (workers stopped, temporary outputs removed, previous outputs intact)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Terminated(KeyboardInterrupt):
    """The process was asked to end (SIGTERM)."""


def _raise_terminated(*_: object) -> None:
    raise Terminated


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Inside the block SIGTERM raises `Terminated`, a KeyboardInterrupt (main thread only: elsewhere signal
    handlers cannot be set, and signals are not delivered there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class StopRequest:
    """Ctrl+C or SIGTERM noted, not raised: inside `deferred()` the signal only sets a flag, and the caller raises
    at a point of its choosing (`raise_if_requested`). A KeyboardInterrupt raised at any bytecode can leave a lock
    of `concurrent.futures` held (a future's condition taken in `as_completed`), after which shutting the pool down
    waits for good."""

    def __init__(self) -> None:
        self.signal: int | None = None

    def _note(self, signum: int, _frame: object) -> None:
        self.signal = signum

    @contextlib.contextmanager
    def deferred(self) -> Iterator[StopRequest]:
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {s: signal.signal(s, self._note) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.raise_if_requested()

    def raise_if_requested(self) -> None:
        if self.signal == signal.SIGTERM:
            raise Terminated
        if self.signal is not None:
            raise KeyboardInterrupt


@contextlib.contextmanager
def ignored() -> Iterator[None]:
    """Ctrl+C and SIGTERM ignored inside the block: for cleaning up after a stop (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
