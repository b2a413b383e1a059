"""Writing outputs: CSV for Excel (BOM, formula-injection safe), Parquet exact, every file atomic."""

from __future__ import annotations

import csv
import errno
import io
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import outputs
from analysis.core.outputs import (
    OutputFolderError,
    atomic_path,
    parquet_metadata,
    staged,
    write_chunks,
    write_table,
    writing_into,
)

FORMULA_LIKE = [
    "=SUM(A1:A9)",
    "+84 912 345 678",
    "-1+2",
    "@cmd",
    "\tlệnh",
    "\rdòng",
    "\ndòng",
]


def _read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)


def _csv_rows(data: bytes) -> list[list[str]]:
    """The CSV's cells as text, exactly as written (after the BOM), whatever the quoting and line ending."""
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


# --------------------------------------------------------------------------------------------- write_table


def test_write_table_returns_and_writes_csv_and_parquet(tmp_path):
    df = pd.DataFrame({"a": [1]})
    paths = write_table(df, tmp_path / "out", "bang")
    assert paths == [tmp_path / "out" / "bang.csv", tmp_path / "out" / "bang.parquet"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["bang.csv", "bang.parquet"]


def test_csv_is_utf8_with_bom_and_keeps_vietnamese_text(tmp_path):
    df = pd.DataFrame({"unit_name": ["Huyện An Bình", "Thị xã Hòa Lạc"], "value": [1.0, 2.5]})
    csv_path, _ = write_table(df, tmp_path, "t")
    data = csv_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert _csv_rows(data) == [["unit_name", "value"], ["Huyện An Bình", "1.0"], ["Thị xã Hòa Lạc", "2.5"]]


def test_csv_and_parquet_hold_the_same_content(tmp_path):
    df = pd.DataFrame(
        {
            "unit_code": ["an_binh", "tx_hoa_lac", "so_y_te"],
            "message": ["Thiếu 3 chỉ tiêu", "Đơn vị “ước” số liệu", "Tỷ lệ: 12,5%"],
            "value": [3.0, 12.5, 0.0],
            "n": [1, 0, 42],
        }
    )
    csv_path, parquet_path = write_table(df, tmp_path, "t")
    parquet = pd.read_parquet(parquet_path)
    pd.testing.assert_frame_equal(parquet, df)
    pd.testing.assert_frame_equal(_read_csv(csv_path), parquet, check_dtype=False)


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_formula_like_text_is_prefixed_in_csv_only(tmp_path, text):
    df = pd.DataFrame({"raw": [text, "bình thường"]})
    csv_path, parquet_path = write_table(df, tmp_path, "t")
    assert list(_read_csv(csv_path)["raw"]) == ["'" + text, "bình thường"]
    assert list(pd.read_parquet(parquet_path)["raw"]) == [text, "bình thường"]


def test_text_with_a_carriage_return_stays_one_csv_row(tmp_path):
    df = pd.DataFrame({"raw": ["dòng 1\rdòng 2", "x"]})
    csv_path, _ = write_table(df, tmp_path, "t")
    assert list(_read_csv(csv_path)["raw"]) == ["dòng 1\rdòng 2", "x"]


def test_text_with_a_line_feed_stays_one_csv_row(tmp_path):
    df = pd.DataFrame({"raw": ["dòng 1\ndòng 2", "x"]})
    csv_path, _ = write_table(df, tmp_path, "t")
    assert list(_read_csv(csv_path)["raw"]) == ["dòng 1\ndòng 2", "x"]


def test_object_dtype_text_column_is_also_neutralised(tmp_path):
    df = pd.DataFrame({"raw": pd.Series(["=1+1", None, "x"], dtype=object)})
    csv_path, _ = write_table(df, tmp_path, "t")
    assert list(_read_csv(csv_path)["raw"]) == ["'=1+1", "", "x"]


def test_negative_numbers_in_numeric_columns_are_untouched_in_csv(tmp_path):
    df = pd.DataFrame({"value": [-3.5, 0.0, 7.0], "delta": [-2, 5, -1]})
    csv_path, parquet_path = write_table(df, tmp_path, "t")
    data = csv_path.read_bytes()
    assert _csv_rows(data) == [["value", "delta"], ["-3.5", "-2"], ["0.0", "5"], ["7.0", "-1"]]
    assert b"'" not in data
    pd.testing.assert_frame_equal(pd.read_parquet(parquet_path), df)


def test_write_table_overwrites_a_previous_run(tmp_path):
    write_table(pd.DataFrame({"a": ["cũ"]}), tmp_path, "t")
    write_table(pd.DataFrame({"a": ["mới"]}), tmp_path, "t")
    assert list(_read_csv(tmp_path / "t.csv")["a"]) == ["mới"]
    assert list(pd.read_parquet(tmp_path / "t.parquet")["a"]) == ["mới"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.parquet"]


# --------------------------------------------------------------------------------------------- atomic_path


def test_atomic_path_failure_keeps_previous_content_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "values.csv"
    target.write_text("cũ", encoding="utf-8")
    with pytest.raises(RuntimeError, match="giữa chừng"), atomic_path(target) as tmp:
        tmp.write_text("mới, chưa xong", encoding="utf-8")
        raise RuntimeError("hỏng giữa chừng")
    assert target.read_text(encoding="utf-8") == "cũ"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_path_failure_without_previous_file_creates_nothing(tmp_path):
    target = tmp_path / "values.csv"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("mới", encoding="utf-8")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_success_puts_new_content_in_place(tmp_path):
    target = tmp_path / "values.csv"
    target.write_text("cũ", encoding="utf-8")
    with atomic_path(target) as tmp:
        assert tmp != target
        assert tmp.parent == target.parent  # same folder: the final move is an atomic rename
        tmp.write_text("mới", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "cũ"  # nothing visible until the block ends
    assert target.read_text(encoding="utf-8") == "mới"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_path_creates_missing_parent_folders(tmp_path):
    target = tmp_path / "data" / "processed" / "values.csv"
    with atomic_path(target) as tmp:
        tmp.write_text("x", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_atomic_path_output_has_the_same_permissions_as_a_plain_write(tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("x", encoding="utf-8")
    target = tmp_path / "atomic.csv"
    with atomic_path(target) as tmp:
        tmp.write_text("x", encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


# -------------------------------------------------------------------------------------------- write_chunks


def test_a_table_written_in_chunks_is_the_table_written_at_once(tmp_path):
    df = pd.DataFrame(
        {"text": ["=1+1", "bình thường", "", "-5"], "value": [1.5, float("nan"), 3.0, -5.0], "flag": [True, False] * 2}
    ).astype({"text": "str"})
    write_table(df, tmp_path / "once", "bang")
    write_chunks((df.iloc[i : i + 1].reset_index(drop=True) for i in range(len(df))), tmp_path / "chunks", "bang")
    assert (tmp_path / "once" / "bang.csv").read_bytes() == (tmp_path / "chunks" / "bang.csv").read_bytes()
    once, chunks = (pd.read_parquet(tmp_path / d / "bang.parquet") for d in ("once", "chunks"))
    pd.testing.assert_frame_equal(once, chunks)


def test_a_failure_while_chunks_are_written_leaves_the_previous_table(tmp_path):
    write_table(pd.DataFrame({"a": [1]}), tmp_path, "bang")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def chunks():
        yield pd.DataFrame({"a": [2]})
        raise RuntimeError("dừng giữa chừng")

    with pytest.raises(RuntimeError):
        write_chunks(chunks(), tmp_path, "bang")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temporary file left either


# ------------------------------------------------------------------------------------------ staged files together


def test_staged_files_appear_only_on_commit_and_in_rank_order(tmp_path, monkeypatch):
    (tmp_path / "old.txt").write_text("cũ", encoding="utf-8")
    moved: list[str] = []
    real_replace = os.replace
    monkeypatch.setattr(outputs.os, "replace", lambda src, dst: (moved.append(Path(dst).name), real_replace(src, dst)))
    with staged(tmp_path) as staging:
        staging.path("manifest.json", rank=2).write_text("m", encoding="utf-8")
        staging.path("cache.json", rank=1).write_text("c", encoding="utf-8")
        write_table(pd.DataFrame({"a": [1]}), tmp_path, "t", staging)
        assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["old.txt"]
    assert moved == ["t.csv", "t.parquet", "cache.json", "manifest.json"]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["cache.json", "manifest.json", "old.txt", "t.csv", "t.parquet"]


def test_a_failure_before_the_commit_moves_nothing_in_and_leaves_no_temporary_file(tmp_path):
    write_table(pd.DataFrame({"a": [1]}), tmp_path, "t")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(RuntimeError), staged(tmp_path) as staging:
        write_table(pd.DataFrame({"a": [2]}), tmp_path, "t", staging)
        raise RuntimeError("dừng trước khi thay")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_parquet_metadata_is_written_and_the_table_reads_back_unchanged(tmp_path):
    df = pd.DataFrame({"text": ["a", "b"], "value": [1.5, -2.0]}).astype({"text": "str"})
    chunks = [df.iloc[:1].reset_index(drop=True), df.iloc[1:].reset_index(drop=True)]
    _, parquet_path = write_chunks(chunks, tmp_path, "t", metadata={"analysis.generation": "g-1"})
    assert parquet_metadata(parquet_path)["analysis.generation"] == "g-1"
    pd.testing.assert_frame_equal(pd.read_parquet(parquet_path), df)


# ------------------------------------------------------------------------------- a folder that cannot be written


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.EACCES, "không có quyền ghi"),
        (errno.EPERM, "không có quyền ghi"),
        (errno.EROFS, "chỉ cho phép đọc"),
        (errno.ENOSPC, "ổ đĩa đã đầy"),
    ],
)
def test_writing_into_turns_a_folder_problem_into_a_vietnamese_message(tmp_path, code, words):
    with pytest.raises(OutputFolderError, match=words) as refused, writing_into(tmp_path):
        raise OSError(code, os.strerror(code), str(tmp_path / "values.csv"))
    assert str(tmp_path) in str(refused.value) and "Hãy" in str(refused.value)


def test_writing_into_leaves_other_errors_alone(tmp_path):
    with pytest.raises(PermissionError), writing_into(tmp_path / "out"):  # a raw file, not the output folder
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "raw" / "a.xlsx"))
    with pytest.raises(FileNotFoundError), writing_into(tmp_path):
        raise FileNotFoundError(errno.ENOENT, "No such file", str(tmp_path / "x"))


def test_writing_into_names_a_parent_that_cannot_be_created(tmp_path):
    with pytest.raises(OutputFolderError), writing_into(tmp_path / "a" / "b"):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "a"))
