"""Broken and hostile submissions: each is rejected (or skipped) with a clear reason, every other file still goes in,
and the raw files are left exactly as they were."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import time

import pytest

from analysis.ingest.isolation import WorkerLimits, iter_isolated, map_isolated
from analysis.ingest.run import ingest
from tests.hostile_corpus import CASES, write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, catalogue, registry):
    from datetime import date

    from analysis.catalogue.template import TemplateContext, build_template
    from analysis.core.config import load_province_config
    from analysis.core.periods import Quarter
    from tests.factories import Filing, fill_template

    folder = tmp_path_factory.mktemp("hostile")
    unit, quarter = registry.get("an_binh"), Quarter(2021, 3)
    wb = build_template(
        catalogue, TemplateContext(registry.province_name, unit, quarter, load_province_config().cutoff)
    )
    values = {ind.code: 1.0 for ind in catalogue.input_indicators()}
    fill_template(wb, Filing(unit, quarter, values, "x.xlsx", date(2021, 9, 20)), catalogue)
    good_path = folder / "good.xlsx"
    wb.save(good_path)
    raw = folder / "raw"
    expected = write_corpus(raw, good_path.read_bytes())
    (raw / "folder-named.xlsx").mkdir()
    return raw, expected


@pytest.fixture(scope="module")
def result(corpus, ctx):
    raw, _ = corpus
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.iterdir() if p.is_file()}
    start = time.perf_counter()
    out = ingest(raw, ctx)
    elapsed = time.perf_counter() - start
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.iterdir() if p.is_file()}
    return out, before, after, elapsed


def test_corpus_has_at_least_30_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_file_gets_its_expected_outcome(result, case):
    out, *_ = result
    subs = out.tables["submissions"].set_index("file")
    if case.status == "skipped":
        assert case.name not in subs.index
        return
    row = subs.loc[case.name]
    assert row["status"] == case.status, row["reason"]
    if case.status == "rejected":
        issues = out.tables["issues"]
        mine = issues[issues["file"] == case.name]
        assert case.rule in set(mine["rule"]), mine[["rule", "message"]].to_dict("records")
        assert (mine["severity"] == "error").any()
        for word in case.reason_words:
            assert word.lower() in row["reason"].lower(), row["reason"]


def test_the_good_file_is_read_despite_its_neighbours(result, forms):
    out, *_ = result
    values = out.tables["values"]
    good = values[values["source_file"] == "good-copy-again.xlsm"]
    assert len(good) == len(forms.input_indicators())
    assert (good["value"] == 1.0).all()


def test_a_folder_named_like_a_workbook_is_not_a_submission(result):
    out, *_ = result
    assert "folder-named.xlsx" not in set(out.tables["submissions"]["file"])


def test_raw_files_are_unchanged(result):
    _, before, after, _ = result
    assert before == after


def test_hostile_files_are_cheap_to_reject(result):
    """The caps act before parsing: the zip bomb and 100,000-row sheet do not cost a full parse (generous bound)."""
    *_, elapsed = result
    assert elapsed < 120


# ----------------------------------------------------------------------------------- the isolation itself


def _crash(x: int) -> int:
    if x == 2:
        os.abort()  # what a Rust allocation failure in a parser does to the process
    return x * 10


def _hang(x: int) -> int:
    if x == 1:
        time.sleep(60)
    return x


def _allocate(x: int) -> int:
    if x == 1:
        bytearray(4 * 1024**3)  # beyond the worker's memory cap
    return x


def _raise(x: int) -> int:
    if x == 0:
        raise ValueError("hỏng")
    return x


def _failure(item: int, kind: str, detail: str) -> str:
    return f"{kind}:{item}"


def test_a_crashing_worker_costs_only_its_item():
    assert map_isolated(_crash, [0, 1, 2, 3, 4], _failure, workers=2) == [0, 10, "crash:2", 30, 40]


def test_a_crashing_worker_prints_no_fault_dump(capfd):
    import faulthandler

    assert faulthandler.is_enabled()  # pytest turns it on, and a forked worker inherits it
    assert map_isolated(_crash, [2], _failure, workers=1) == ["crash:2"]
    assert "Fatal Python error" not in capfd.readouterr().err  # the parent reports the crash, in Vietnamese


def test_a_hanging_item_times_out_and_the_rest_go_on():
    limits = WorkerLimits(timeout_seconds=1.5)
    assert map_isolated(_hang, [0, 1, 2], _failure, workers=2, limits=limits) == [0, "timeout:1", 2]


def test_runaway_memory_is_capped():
    limits = WorkerLimits(memory_bytes=1024**3)
    assert map_isolated(_allocate, [0, 1, 2], _failure, workers=1, limits=limits) == [0, "error:1", 2]


def test_an_exception_is_reported_and_the_worker_goes_on():
    assert map_isolated(_raise, [0, 1, 2], _failure, workers=1) == ["error:0", 1, 2]


def _slow_first(x: int) -> int:
    if x == 0:
        time.sleep(1.0)
    return x


def test_results_stream_as_they_arrive():
    got = list(iter_isolated(_slow_first, [0, 1, 2, 3], _failure, workers=2))
    assert sorted(got) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    assert got[-1] == (0, 0)  # the slow item does not hold back the others


def test_stopping_early_leaves_no_worker_behind():
    stream = iter_isolated(_hang, [0, 1, 2, 3], _failure, workers=2)
    assert next(stream)[0] in (0, 2)
    stream.close()
    time.sleep(0.2)
    assert not [c for c in mp.active_children() if c.is_alive()]
