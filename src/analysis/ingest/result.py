"""What an ingest run hands back: the tables of its output folder, read when first used (each checked to be
of the run's generation), and a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core import labels, vnformat
from analysis.ingest.generation import current_generation, generation_rows, read_generation_table
from analysis.ingest.manual_apply import STATUS as MANUAL
from analysis.ingest.schema import TABLES


class Tables(Mapping[str, pd.DataFrame]):
    """The tables of an output folder, each read (from Parquet) when first used: a run never holds them. Each
    is checked to be of `generation` (default: the manifest's now), so a folder replaced meanwhile by another run
    raises InconsistentTables rather than mixing two runs."""

    def __init__(self, folder: Path, generation: str | None = None) -> None:
        self.folder = folder
        self.generation = generation or current_generation(folder)
        self._loaded: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(name)
        if name not in self._loaded:
            self._loaded[name] = read_generation_table(self.folder, name, self.generation)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)

    def rows(self, name: str) -> int:
        """Rows of a table, without reading it when it is not read yet (Parquet metadata)."""
        if name in self._loaded:
            return len(self._loaded[name])
        return generation_rows(self.folder, name, self.generation)


@dataclass
class IngestResult:
    """The tables of a run and, from `run_ingest`, the incremental run's counts."""

    tables: Tables
    run: object = None  # the incremental run's counts

    def summary_vn(self) -> str:
        """The run in one Vietnamese paragraph: files by status, errors and warnings, values read."""
        status = Counter(self.tables["submissions"]["status"])
        severity = Counter(self.tables["issues"]["severity"]) if len(self.tables["issues"]) else Counter()
        kinds = {k: v for k, v in labels.group("submission_status").items() if k != MANUAL}
        parts = ", ".join(f"{status.get(k, 0)} {v.lower()}" for k, v in kinds.items())
        manual = self.tables.rows("manual")
        by_hand = f" (trong đó {vnformat.number(manual)} số liệu nhập tay)" if manual else ""
        return (
            f"Đã xử lý {len(self.tables['submissions'])} tệp: {parts}. "
            f"Vấn đề phát hiện: {severity.get('error', 0)} lỗi, {severity.get('warning', 0)} cảnh báo. "
            f"{vnformat.number(self.tables.rows('values'))} giá trị số liệu{by_hand}."
        )

    @property
    def has_errors(self) -> bool:
        return bool((self.tables["issues"]["severity"] == "error").any())
