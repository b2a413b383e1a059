"""Freed memory returned to the system between a worker's pieces of work (glibc's malloc_trim)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from analysis.core import memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux only")
def test_freed_pages_go_back_to_the_system():
    def resident() -> int:
        status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
        return int(status["VmRSS"].split()[0]) * 1024

    if memory._trim() is None:
        pytest.skip("not glibc")
    memory.give_back()
    before = resident()
    blocks = [bytearray(1000) for _ in range(200_000)]  # 200 MB of small blocks: the heap, not mmap
    pin = bytearray(1000)  # above them: the allocator's own trimming of the heap's top cannot pass it
    grown = resident()
    del blocks
    kept = resident()
    memory.give_back()
    assert len(pin) == 1000
    assert grown - before > 150 * 1024**2 and kept - before > 150 * 1024**2  # freed, yet still held
    assert resident() - before < 50 * 1024**2  # back near where it was, not kept by the allocator


def test_giving_back_is_harmless_where_it_cannot_be_done(monkeypatch):
    monkeypatch.setattr(memory.sys, "platform", "darwin")
    memory._trim.cache_clear()
    try:
        assert memory._trim() is None
        memory.give_back()  # nothing to do, no error
    finally:
        memory._trim.cache_clear()
