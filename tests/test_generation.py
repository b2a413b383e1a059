"""One writer, one generation: two ingests on one folder never mix (the second is refused, naming the first); a run
stopped between table replacements leaves a folder readers refuse and the next ingest rebuilds; a transient
rejection is parsed again; a folder that cannot be written gives a Vietnamese message and keeps the previous
outputs byte for byte."""

from __future__ import annotations

import errno
import os
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import lock, outputs
from analysis.core.lock import FolderLocked
from analysis.core.outputs import OutputFolderError, read_table
from analysis.ingest import generation, incremental
from analysis.ingest import parse as ingest_parse
from analysis.ingest.generation import MANIFEST_FILE, InconsistentTables, read_tables
from analysis.ingest.incremental import CACHE_FILE
from analysis.ingest.run import ingest, run_ingest
from analysis.ingest.schema import TABLES
from tests.test_lock import Holder


def assert_same_tables(a, b) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(a[name].reset_index(drop=True), b[name].reset_index(drop=True), obj=name)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture
def two_raws(make_submission, known_values, tmp_path):
    """Raw folder A (two units, the known figures) and raw folder B (the same units, figures + 898)."""
    raw_a, raw_b = tmp_path / "A", tmp_path / "B"
    bumped = {k: v + 898 for k, v in known_values.items()}
    for unit in ("an_binh", "tan_khe"):
        make_submission(name=f"2021Q3_{unit}.xlsx", unit_code=unit, folder=raw_a)
        make_submission(name=f"2021Q3_{unit}.xlsx", unit_code=unit, values=bumped, folder=raw_b)
    return raw_a, raw_b


# --------------------------------------------------------------------------------------------- one writer


def test_two_concurrent_ingests_on_one_folder_the_second_is_refused(two_raws, ctx, tmp_path, monkeypatch):
    raw_a, raw_b = two_raws
    out = tmp_path / "out"
    parsing, go_on = threading.Event(), threading.Event()
    real_stream = incremental.parse_stream

    def slow_stream(*args, **kwargs):
        parsing.set()  # run A holds the folder and is parsing
        go_on.wait(120)
        yield from real_stream(*args, **kwargs)

    monkeypatch.setattr(incremental, "parse_stream", slow_stream)
    failures: list[BaseException] = []

    def run_a() -> None:
        try:
            run_ingest(raw_a, out, ctx)
        except BaseException as exc:  # reported below
            failures.append(exc)

    first = threading.Thread(target=run_a)
    first.start()
    assert parsing.wait(120)
    try:
        with pytest.raises(FolderLocked) as refused:
            run_ingest(raw_b, out, ctx)
    finally:
        go_on.set()
        first.join()
    assert not failures
    assert f"pid {os.getpid()}" in str(refused.value) and "ingest" in str(refused.value)
    assert_same_tables(read_tables(out), ingest(raw_a, ctx).tables)


def test_a_run_refused_while_another_holds_the_folder_then_gets_its_own_figures(two_raws, ctx, known_values, tmp_path):
    """The issue's scenario: run A on the folder, run B refused; B run again afterwards serves B's figures."""
    raw_a, raw_b = two_raws
    out = tmp_path / "out"
    run_ingest(raw_a, out, ctx)
    holder = Holder(out)  # run A still busy on the folder
    try:
        with pytest.raises(FolderLocked, match=f"pid {holder.proc.pid}"):
            run_ingest(raw_b, out, ctx)
        assert_same_tables(read_tables(out), ingest(raw_a, ctx).tables)  # untouched by the refused run
    finally:
        holder.release()
    result = run_ingest(raw_b, out, ctx)
    assert result.run.parsed == 2  # B's files are new: nothing of A's reused
    assert_same_tables(read_tables(out), ingest(raw_b, ctx).tables)
    first = next(iter(known_values))
    assert read_table(out, "values").query("indicator == @first")["value"].tolist() == [known_values[first] + 898] * 2


# --------------------------------------------------------------------------------------------- one generation


def test_every_table_and_the_cache_are_of_the_manifest_generation(two_raws, ctx, tmp_path):
    out = tmp_path / "out"
    result = run_ingest(two_raws[0], out, ctx)
    state = generation.inspect(out, CACHE_FILE)
    assert state.tables_ok and state.cache_ok and state.generation == result.tables.generation
    names = {p.name for p in out.iterdir()}
    assert names == {f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")} | {CACHE_FILE, MANIFEST_FILE}


def stop_before(monkeypatch, target: str) -> None:
    """Make the run die just before it moves `target` into place (as a kill between two moves would)."""
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).name == target:
            raise KeyboardInterrupt  # not an OSError: nothing may treat it as a folder problem
        real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", replace)


@pytest.mark.parametrize("target", ["submissions.csv", "completeness.parquet"])
def test_a_kill_between_table_replacements_is_refused_by_readers_and_rebuilt(
    two_raws, ctx, tmp_path, monkeypatch, target
):
    raw_a, raw_b = two_raws
    out = tmp_path / "out"
    run_ingest(raw_a, out, ctx)
    stop_before(monkeypatch, target)
    with pytest.raises(KeyboardInterrupt):
        run_ingest(raw_b, out, ctx)
    monkeypatch.undo()
    with pytest.raises(InconsistentTables, match="không nhất quán") as refused:
        read_tables(out)
    assert "chạy lại" in str(refused.value) and "values.parquet" in str(refused.value)
    assert not list(out.glob(".*.tmp"))  # the files not moved in yet were removed on the way out
    rerun = run_ingest(raw_b, out, ctx)
    assert rerun.run.tables_rebuilt
    assert rerun.run.reused == 0  # the old cache is of the old generation, but B's files differ from A's anyway
    assert_same_tables(read_tables(out), ingest(raw_b, ctx).tables)
    assert not list(out.glob(".*.tmp"))


def test_a_kill_between_table_replacements_reuses_the_old_cache_when_it_is_still_the_manifests(
    make_submission, ctx, tmp_path, monkeypatch
):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_submission(name="a.xlsx", unit_code="an_binh")
    run_ingest(raw, out, ctx)
    make_submission(name="b.xlsx", unit_code="tan_khe")
    stop_before(monkeypatch, "submissions.csv")  # values.* replaced, the rest and the cache still the old ones
    with pytest.raises(KeyboardInterrupt):
        run_ingest(raw, out, ctx)
    monkeypatch.undo()
    rerun = run_ingest(raw, out, ctx).run
    assert (rerun.parsed, rerun.reused, rerun.tables_rebuilt) == (1, 1, True)
    assert_same_tables(read_tables(out), ingest(raw, ctx).tables)


def test_a_cache_newer_than_the_manifest_is_never_trusted(make_submission, ctx, tmp_path, monkeypatch):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_submission(name="a.xlsx", unit_code="an_binh")
    run_ingest(raw, out, ctx)
    make_submission(name="b.xlsx", unit_code="tan_khe")
    stop_before(monkeypatch, MANIFEST_FILE)  # every table and the cache replaced, the manifest not
    with pytest.raises(KeyboardInterrupt):
        run_ingest(raw, out, ctx)
    monkeypatch.undo()
    assert not generation.inspect(out, CACHE_FILE).cache_ok
    with pytest.raises(InconsistentTables):
        read_tables(out)
    rerun = run_ingest(raw, out, ctx).run
    assert (rerun.parsed, rerun.reused) == (2, 0)
    assert_same_tables(read_tables(out), ingest(raw, ctx).tables)


def test_a_folder_mixed_by_hand_is_refused_and_rebuilt(two_raws, ctx, tmp_path):
    raw_a, raw_b = two_raws
    run_ingest(raw_a, tmp_path / "a", ctx)
    run_ingest(raw_b, tmp_path / "b", ctx)
    shutil.copy2(tmp_path / "a" / "submissions.parquet", tmp_path / "b" / "submissions.parquet")
    with pytest.raises(InconsistentTables, match="submissions.parquet"):
        read_tables(tmp_path / "b")
    rerun = run_ingest(raw_b, tmp_path / "b", ctx).run
    assert (rerun.parsed, rerun.tables_rebuilt) == (0, True)
    assert_same_tables(read_tables(tmp_path / "b"), ingest(raw_b, ctx).tables)


def test_a_csv_from_another_run_means_the_tables_are_written_again(two_raws, ctx, tmp_path):
    raw_a, raw_b = two_raws
    run_ingest(raw_a, tmp_path / "a", ctx)
    run_ingest(raw_b, tmp_path / "b", ctx)
    shutil.copy2(tmp_path / "a" / "values.csv", tmp_path / "b" / "values.csv")
    read_tables(tmp_path / "b")  # code reads Parquet only: consistent
    rerun = run_ingest(raw_b, tmp_path / "b", ctx).run
    assert (rerun.parsed, rerun.tables_rebuilt) == (0, True)
    run_ingest(raw_b, tmp_path / "clean", ctx)
    assert (tmp_path / "b" / "values.csv").read_bytes() == (tmp_path / "clean" / "values.csv").read_bytes()


def test_a_folder_copied_elsewhere_stays_consistent(two_raws, ctx, tmp_path):
    out = tmp_path / "out"
    run_ingest(two_raws[0], out, ctx)
    shutil.copytree(out, tmp_path / "copy", copy_function=shutil.copy)  # new modification times
    again = run_ingest(two_raws[0], tmp_path / "copy", ctx).run
    assert (again.parsed, again.reused, again.tables_rebuilt) == (0, 2, False)


def test_a_folder_without_a_manifest_is_rebuilt(two_raws, ctx, tmp_path):
    out = tmp_path / "out"
    run_ingest(two_raws[0], out, ctx)
    (out / MANIFEST_FILE).unlink()  # as a folder written before generations existed
    with pytest.raises(InconsistentTables, match=MANIFEST_FILE):
        read_tables(out)
    rerun = run_ingest(two_raws[0], out, ctx).run
    assert (rerun.parsed, rerun.tables_rebuilt) == (2, True)
    assert_same_tables(read_tables(out), ingest(two_raws[0], ctx).tables)


def test_lazy_tables_never_mix_two_runs(two_raws, ctx, tmp_path):
    out = tmp_path / "out"
    earlier = run_ingest(two_raws[0], out, ctx)
    earlier.tables["submissions"]  # read now; the others are not
    run_ingest(two_raws[1], out, ctx)
    with pytest.raises(InconsistentTables):
        earlier.tables["values"]
    assert len(earlier.tables["submissions"]) == 2  # what was read stays


# ------------------------------------------------------------------------------------------ transient rejections


def test_a_file_whose_parser_crashed_is_parsed_again_next_run(make_submission, ctx, tmp_path, monkeypatch):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_submission(name="a.xlsx", unit_code="an_binh")
    make_submission(name="b.xlsx", unit_code="tan_khe")
    real_parse = ingest_parse.parse_record

    def crash_on_b(path, raw_dir, ctx):
        if path.name == "b.xlsx":
            os._exit(1)  # the worker dies, as a parser abort would
        return real_parse(path, raw_dir, ctx)

    monkeypatch.setattr(ingest_parse, "parse_record", crash_on_b)
    first = run_ingest(raw, out, ctx)
    subs = first.tables["submissions"].set_index("file")
    assert subs.loc["b.xlsx", "status"] == "rejected"
    assert "parser_crash" in set(first.tables["issues"]["rule"])
    monkeypatch.undo()
    again = run_ingest(raw, out, ctx)
    assert (again.run.parsed, again.run.reused) == (1, 1)
    assert again.tables["submissions"].set_index("file").loc["b.xlsx", "status"] == "accepted"
    assert_same_tables(read_tables(out), ingest(raw, ctx).tables)


def test_a_file_that_keeps_crashing_is_tried_each_run_without_a_new_generation(
    make_submission, ctx, tmp_path, monkeypatch
):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_submission(name="a.xlsx", unit_code="an_binh")
    make_submission(name="b.xlsx", unit_code="tan_khe")
    real_parse = ingest_parse.parse_record

    def crash_on_b(path, raw_dir, ctx):
        if path.name == "b.xlsx":
            os._exit(1)
        return real_parse(path, raw_dir, ctx)

    monkeypatch.setattr(ingest_parse, "parse_record", crash_on_b)
    first = run_ingest(raw, out, ctx)
    before = snapshot(out)
    again = run_ingest(raw, out, ctx)
    assert (again.run.parsed, again.run.reused, again.run.changed) == (1, 1, False)
    assert again.tables.generation == first.tables.generation and snapshot(out) == before


def test_a_file_that_could_not_be_read_for_lack_of_permission_is_parsed_again(
    make_submission, ctx, tmp_path, monkeypatch
):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_submission(name="a.xlsx", unit_code="an_binh")
    make_submission(name="b.xlsx", unit_code="tan_khe")
    real_open = Path.open

    def refuse_b(self, *args, **kwargs):
        if self.name == "b.xlsx":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse_b)  # in the workers (forked) as in the parent
    first = run_ingest(raw, out, ctx)
    assert first.tables["submissions"].set_index("file").loc["b.xlsx", "status"] == "rejected"
    monkeypatch.undo()
    again = run_ingest(raw, out, ctx)
    assert (again.run.parsed, again.run.reused) == (1, 1)
    assert again.tables["submissions"].set_index("file").loc["b.xlsx", "status"] == "accepted"


def test_a_lasting_rejection_is_still_reused(make_submission, ctx, tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_submission(name="a.xlsx", unit_code="an_binh")
    (raw / "broken.xlsx").write_bytes(b"garbage")
    run_ingest(raw, out, ctx)
    again = run_ingest(raw, out, ctx).run
    assert (again.parsed, again.reused) == (0, 2)


# ------------------------------------------------------------------------------------ a folder that cannot be written


def _probe_writable(folder: Path) -> bool:
    try:
        (folder / ".probe").write_bytes(b"")
    except OSError:
        return False
    (folder / ".probe").unlink()
    return True


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_read_only_output_folder_gives_a_message_and_keeps_the_previous_outputs(make_submission, ctx, tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_submission(name="a.xlsx", unit_code="an_binh")
    run_ingest(raw, out, ctx)
    make_submission(name="b.xlsx", unit_code="tan_khe")
    before = snapshot(out)
    out.chmod(0o555)
    try:
        if _probe_writable(out):
            pytest.skip("running with permission to write anywhere (root): the folder stays writable")
        with pytest.raises(OutputFolderError, match="không có quyền ghi") as refused:
            run_ingest(raw, out, ctx)
    finally:
        out.chmod(0o755)
    assert str(out) in str(refused.value) and "được giữ nguyên" in str(refused.value)
    assert snapshot(out) == before


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.EACCES, "không có quyền ghi"), (errno.EROFS, "chỉ cho phép đọc"), (errno.ENOSPC, "ổ đĩa đã đầy")],
)
def test_a_folder_that_refuses_writes_keeps_the_previous_outputs_byte_for_byte(
    make_submission, ctx, tmp_path, monkeypatch, code, words
):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_submission(name="a.xlsx", unit_code="an_binh")
    run_ingest(raw, out, ctx)
    make_submission(name="b.xlsx", unit_code="tan_khe")
    before = snapshot(out)
    real_write = outputs._ParquetChunks.write

    def refuse(self, df):
        real_write(self, df)
        raise OSError(code, os.strerror(code), str(self.path))

    monkeypatch.setattr(outputs._ParquetChunks, "write", refuse)
    with pytest.raises(OutputFolderError, match=words) as refused:
        run_ingest(raw, out, ctx)
    assert str(out) in str(refused.value)
    assert isinstance(refused.value.__cause__, OSError)
    assert snapshot(out) == before  # nothing moved in, no temporary file left, the lock released


def test_a_folder_the_user_may_only_read_still_serves_up_to_date_tables(make_submission, ctx, tmp_path, monkeypatch):
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_submission(name="a.xlsx", unit_code="an_binh")
    run_ingest(raw, out, ctx)
    before, clean = snapshot(out), ingest(raw, ctx).tables

    def no_right(path, purpose):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(lock, "_try_create", no_right)
    again = run_ingest(raw, out, ctx)  # nothing to write: the last run's tables, read only
    assert (again.run.parsed, again.run.reused, again.run.changed) == (0, 1, False)
    assert_same_tables(again.tables, clean)
    make_submission(name="b.xlsx", unit_code="tan_khe")
    with pytest.raises(OutputFolderError, match="không có quyền ghi"):
        run_ingest(raw, out, ctx)
    assert snapshot(out) == before
