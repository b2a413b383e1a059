"""Parse results on disk: one line per record of a parsed file, read back by its offset.

A run keeps in memory only a small summary per file (what the steps that look across files need); the values and
issues of each file wait here until the tables are written, and the file is the incremental cache of the next run.

Layout (UTF-8): a header line `{"format": …, "digest": …}`, then one line per record — a file's own, then one per
other unit's row of a consolidated file, one after the other — with four JSON documents separated by tabs (JSON
text never holds a raw tab or newline): the record's summary, its values as table rows, its issues and its list
items (list forms, `list_sheets`). Plain
JSON: nothing read back is ever executed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

FORMAT = 5  # 5: several records per file (a consolidated file's rows, `part`), list items; 4: path unit, figures
_SUMMARY, _VALUES, _ISSUES, _LISTS = range(4)


@dataclass(frozen=True)
class Stored:
    """Where one file's line is in a store, with its summary (decoded; the values and issues stay on disk)."""

    offset: int
    summary: dict[str, Any]


def _dumps(data: object) -> bytes:
    """`data` as one line of JSON in UTF-8. Never fails on text a file name or cell can carry: a lone surrogate (a
    name byte that was not UTF-8, as os.fsdecode gives it) is written as its JSON escape ("\\udcff"), so it reads
    back as the same string."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace")


def encode_body(values: list[list], issues: list[list], lists: list[list] = ()) -> bytes:
    """A record's values, issues and list items, encoded once (in the worker that parsed the file), stored and
    copied as bytes."""
    return _dumps(values) + b"\t" + _dumps(issues) + b"\t" + _dumps(list(lists))


def body_issues(body: bytes) -> list[list]:
    """The issue rows of an encoded body (`encode_body`)."""
    return json.loads(body.split(b"\t")[_ISSUES - 1])


def _header(digest: str, raw_dir: str | None = None, manual: tuple[str, str] = ("", "")) -> bytes:
    """The first line: format and digest (what decides reuse), the raw folder read (for `views.freshness`) and the
    digest and folder of the hand entries the tables were written with (`ingest.manual`)."""
    extra = ({"raw_dir": raw_dir} if raw_dir else {}) | (
        {"manual": manual[0], "manual_dir": manual[1]} if manual[0] else {}
    )
    return _dumps({"format": FORMAT, "digest": digest, **extra}) + b"\n"


def read_header(path: Path) -> dict[str, Any]:
    """The first line of the store at `path` ({} when it is not a store's header); OSError/ValueError as raised."""
    with path.open("rb") as fh:
        header = json.loads(fh.readline())
    return header if isinstance(header, dict) else {}


class RecordStore:
    """An append-then-read store over one open file: lines are appended while files are parsed, then read back
    by offset while the tables are written."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh

    @classmethod
    def create(
        cls, path: Path, digest: str, raw_dir: Path | None = None, manual: tuple[str, str] = ("", "")
    ) -> RecordStore:
        """A new, empty store at `path` (the caller owns the file's fate: see `outputs.atomic_path`), noting the
        raw folder it is made from and the hand entries' (digest, folder)."""
        fh = path.open("w+b")
        fh.write(_header(digest, str(raw_dir.resolve()) if raw_dir else None, manual))
        return cls(fh)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, summary: dict[str, Any], body: bytes) -> int:
        """Append one file's record (its summary and `encode_body`'s bytes); returns its offset."""
        self._fh.seek(0, 2)
        offset = self._fh.tell()
        self._fh.write(_dumps(summary) + b"\t" + body + b"\n")
        return offset

    def line(self, offset: int) -> bytes:
        self._fh.seek(offset)
        return self._fh.readline()

    def body(self, offset: int) -> bytes:
        """The encoded values and issues of the record at `offset` (to copy it into another store undecoded)."""
        line = self.line(offset)
        return line[line.index(b"\t") + 1 : -1]

    def values(self, offset: int) -> list[list]:
        """The value rows of the record at `offset`."""
        return json.loads(self.line(offset).split(b"\t")[_VALUES])

    def issues(self, offset: int) -> list[list]:
        """The issue rows of the record at `offset`."""
        return json.loads(self.line(offset).split(b"\t")[_ISSUES])

    def lists(self, offset: int) -> list[list]:
        """The list items of the record at `offset` (form, item, field, value, sheet, cell)."""
        return json.loads(self.line(offset).split(b"\t")[_LISTS])


def read_index(path: Path, digest: str) -> tuple[RecordStore | None, dict[str, list[Stored]]]:
    """Open the store at `path` for reading and index it by file (its records, its own first); (None, {}) when it
    is missing, damaged or made for another catalogue, configuration or parser (its digest differs): everything is
    parsed again."""
    try:
        fh = path.open("rb")
    except OSError:
        return None, {}
    index: dict[str, list[Stored]] = {}
    try:
        for file, stored in _index(fh, digest):
            index.setdefault(file, []).append(stored)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        index = {}
    if not index:
        fh.close()
        return None, {}
    return RecordStore(fh), index


def _index(fh: IO[bytes], digest: str) -> Iterator[tuple[str, Stored]]:
    header = json.loads(fh.readline())
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("digest") != digest:
        return
    offset = fh.tell()
    for line in iter(fh.readline, b""):
        if not line.endswith(b"\n"):
            raise ValueError("truncated record")
        summary = json.loads(line[: line.index(b"\t")])
        yield summary["file"], Stored(offset, summary)
        offset += len(line)
