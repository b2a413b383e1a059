"""How many worker processes a run may start: what was asked, capped by the cores this process may use and by the
memory available now, so `--jobs 1000` cannot exhaust the machine (the kernel would kill unrelated programs).

Each kind of run has its own memory need per worker (`PER_WORKER_BYTES`): an ingest worker reads one workbook at a
time; a report worker holds a Jupyter kernel beside itself, with the report's tables and charts loaded.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

MIB = 1024**2
PER_WORKER_BYTES = {"ingest": 300 * MIB, "report": 600 * MIB}
KIND_VN = {"ingest": "đọc tệp", "report": "lập báo cáo"}


@dataclass(frozen=True)
class Workers:
    """The workers a run starts, and why fewer than asked (`message`, in Vietnamese; "" when not capped)."""

    count: int
    message: str = ""


def cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def available_memory(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """Bytes of memory available now without swapping (Linux MemAvailable); None when the system does not say."""
    try:
        for line in meminfo.read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def cap(requested: int | None, kind: str, memory: int | None = None, n_cores: int | None = None) -> Workers:
    """`requested` workers (None: as many as there are cores) for a run of `kind` ("ingest" or "report"), at most
    one per core and as many as the available memory holds (at least one)."""
    n_cores = n_cores or cores()
    memory = available_memory() if memory is None else memory
    by_memory = max(1, memory // PER_WORKER_BYTES[kind]) if memory is not None else n_cores
    limit = max(1, min(n_cores, by_memory))
    if requested is None:
        return Workers(limit)
    if requested <= limit:
        return Workers(requested)
    why = f"máy có {n_cores} lõi"
    if memory is not None:
        why += f", còn trống khoảng {memory / 1024**3:.1f} GB bộ nhớ".replace(".", ",")
    message = (
        f"Chỉ chạy {limit} tiến trình {KIND_VN[kind]} song song thay vì {requested} ({why}; "
        f"mỗi tiến trình cần khoảng {PER_WORKER_BYTES[kind] // MIB} MB)."
    )
    return Workers(limit, message)


def positive_int(text: str) -> int:
    """argparse type of `--jobs`: a whole number from 1 up, refused in Vietnamese otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” không phải là số nguyên; hãy ghi số tiến trình, ví dụ 2") from None
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"số tiến trình phải từ 1 trở lên (đã ghi {value}); bỏ --jobs để dùng số lõi của máy"
        )
    return value
