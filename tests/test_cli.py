"""`python -m analysis <command>`: help, exit codes, and what each command writes."""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.catalogue.template import template_layout
from analysis.cli import main
from analysis.ingest.schema import TABLES

COMMAND_FLAGS = {
    "template": ["--unit", "--quarter", "--out"],
    "indicators": ["--format"],
    "dictionary": ["--out"],
    "ingest": ["--raw", "--out", "--strict"],
    "demo": ["--out"],
}


def _exit_code(argv: list[str]) -> int:
    """Exit code whether `main` returns it or argparse raises SystemExit."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


# ----------------------------------------------------------------------------------------------------- help


@pytest.mark.parametrize("command", sorted(COMMAND_FLAGS))
def test_command_help_exits_0_and_lists_its_flags(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for flag in COMMAND_FLAGS[command]:
        assert flag in out, (command, flag)


def test_help_and_usage_errors_are_in_vietnamese_with_english_option_names(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("Cách dùng: python -m analysis report")
    assert "hiện hướng dẫn này rồi thoát" in out and "--quarter QUARTER" in out
    assert "kỳ báo cáo, ví dụ 2021Q3, Q3/2021, III/2021" in out
    for english in ("usage:", "options:", "show this help", "default:"):
        assert english not in out
    assert _exit_code(["report"]) == 2
    assert "lỗi: thiếu tham số bắt buộc: --quarter" in capsys.readouterr().err
    assert _exit_code(["template", "--unit", "an_binh", "--quarter", "9/2021"]) == 2
    err = capsys.readouterr().err
    assert "lỗi: tham số --quarter: Kỳ báo cáo không hợp lệ: '9/2021'" in err and "Q3/2021, III/2021" in err
    assert "usage:" not in err


def test_argparse_speaks_english_again_after_the_command():
    import argparse

    main(["indicators", "--format", "csv", "--quarter", "III/2021"])
    assert argparse.ArgumentParser(prog="x").format_usage().startswith("usage: ")


def test_top_level_help_in_a_real_subprocess_lists_every_command(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for command in COMMAND_FLAGS:
        assert command in done.stdout


# ------------------------------------------------------------------------------------------------ indicators


def _indicators(capsys, *args: str) -> pd.DataFrame:
    assert main(["indicators", "--format", "csv", *args]) == 0
    return pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)


@pytest.fixture
def indicators_csv(capsys) -> pd.DataFrame:
    """The listing of the forms of quarter III/2021 (version 2021.1)."""
    return _indicators(capsys, "--quarter", "2021Q3")


def test_indicators_csv_has_one_row_per_indicator_of_the_quarters_forms(indicators_csv, forms):
    assert list(indicators_csv["code"]) == [ind.code for ind in forms.indicators]
    assert set(indicators_csv["version"]) == {"2021.1"}


def test_indicators_csv_has_the_documented_columns(indicators_csv):
    assert {"code", "name", "unit", "area", "sheet", "cell", "form_code", "form_column", "series_since"} <= set(
        indicators_csv.columns
    )


def test_indicators_csv_name_unit_and_area_match_the_catalogue(indicators_csv, forms):
    table = indicators_csv.set_index("code")
    for ind in forms.indicators:
        assert (table.loc[ind.code, "name"], table.loc[ind.code, "unit"], table.loc[ind.code, "area"]) == (
            ind.name,
            ind.unit,
            ind.area,
        )


def test_indicators_csv_sheet_and_cell_equal_the_template_layout(indicators_csv, forms):
    layout = template_layout(forms).set_index("indicator")
    table = indicators_csv.set_index("code")
    assert list(table.index) == list(layout.index)
    assert list(table["sheet"]) == list(layout["sheet"])
    assert list(table["cell"]) == list(layout["cell"])


def test_indicators_without_a_quarter_list_every_concept_with_its_versions(capsys, catalogue):
    table = _indicators(capsys).set_index("code")
    assert list(table.index) == [ind.code for ind in catalogue.indicators]
    assert table.loc["TCD01", "versions"] == "2021.1 2024.1 2025.1"
    assert table.loc["VP01", "versions"] == "2021.1"  # the province's own form dropped COVID-19 from 2024
    assert table.loc["XLD20", "versions"] == "2024.1 2025.1"  # "chưa xử lý", new in TT 01/2024's 01/XLD


# -------------------------------------------------------------------------------------------------- template


def test_template_writes_a_readable_workbook_for_the_unit(tmp_path, capsys, catalogue):
    out = tmp_path / "mau.xlsx"
    assert main(["template", "--unit", "an_binh", "--quarter", "2021Q3", "--out", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["Thông tin chung", *[area.sheet for area in catalogue.areas]]
    first = wb[catalogue.areas[0].sheet]
    texts = [c.value for row in first.iter_rows(max_row=9) for c in row if c.value]
    assert "Đơn vị báo cáo: Huyện An Bình" in texts
    assert "Kỳ báo cáo: Quý III/2021" in texts
    assert str(out) in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["mau.xlsx"]  # no temporary file left


def test_template_in_the_official_layout_prints_the_numbered_columns(tmp_path, capsys):
    for quarter, xld_width in (("2021Q3", 26), ("2024Q2", 22)):  # 01/XLD re-cut by TT 01/2024
        out = tmp_path / f"ban-in-{quarter}.xlsx"
        assert (
            main(["template", "--unit", "an_binh", "--quarter", quarter, "--layout", "official", "--out", str(out)])
            == 0
        )
        wb = load_workbook(out)
        assert wb.sheetnames[:3] == ["Thông tin chung", "01-TCD", "02-XLD"]
        for sheet, width in (("01-TCD", 29), ("02-XLD", xld_width)):
            ws = wb[sheet]
            numbering = next(r for r in ws.iter_rows(min_row=10, max_row=20, values_only=True) if r[0] == "A")
            assert [n for n in numbering[2:] if n is not None] == list(range(1, width + 1))
        assert "theo bố cục in của thông tư" in capsys.readouterr().out


def test_template_unknown_unit_exits_2_listing_valid_codes(tmp_path, capsys, registry):
    out = tmp_path / "mau.xlsx"
    assert main(["template", "--unit", "khong_co", "--quarter", "2021Q3", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "khong_co" in err
    for code in registry.codes:
        assert code in err
    assert not out.exists()


def test_template_bad_quarter_exits_2_with_a_clear_message(tmp_path, capsys):
    out = tmp_path / "mau.xlsx"
    assert _exit_code(["template", "--unit", "an_binh", "--quarter", "2021Q5", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "2021Q5" in err
    assert "Kỳ báo cáo không hợp lệ" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_template_without_required_flags_is_a_usage_error(capsys):
    assert _exit_code(["template", "--unit", "an_binh"]) == 2
    assert "--quarter" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------ dictionary


def test_dictionary_writes_markdown_with_every_indicator_code(tmp_path, capsys, catalogue):
    out = tmp_path / "docs" / "tu-dien.md"
    assert main(["dictionary", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.lstrip().startswith("#")
    for ind in catalogue.indicators:
        assert ind.code in text, ind.code
    capsys.readouterr()


# ---------------------------------------------------------------------------------------------------- ingest


@pytest.fixture
def raw_folder(make_submission, catalogue, tmp_path):
    """One good, rule-consistent submission (all zeros) and one garbage file."""
    raw = tmp_path / "raw"
    make_submission("good.xlsx", values={ind.code: 0.0 for ind in catalogue.input_indicators()}, folder=raw)
    (raw / "broken.xlsx").write_bytes(b"not a workbook")
    return raw


def test_ingest_exits_0_and_writes_every_table_as_csv_and_parquet(raw_folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["ingest", "--raw", str(raw_folder), "--out", str(out)]) == 0
    # the six tables, the incremental-ingest cache and the manifest of their generation; nothing else (no lock left)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{name}.{ext}" for name in TABLES for ext in ("csv", "parquet")] + ["ingest-cache.json", "manifest.json"]
    )
    assert set(TABLES) == {"values", "submissions", "issues", "lists", "manual", "completeness"}
    capsys.readouterr()


def test_ingest_lists_the_garbage_file_as_rejected_with_a_reason(raw_folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["ingest", "--raw", str(raw_folder), "--out", str(out)]) == 0
    subs = pd.read_parquet(out / "submissions.parquet").set_index("file")
    assert subs.loc["broken.xlsx", "status"] == "rejected"
    assert subs.loc["broken.xlsx", "reason"].strip()
    assert subs.loc["good.xlsx", "status"] == "accepted"
    issues = pd.read_parquet(out / "issues.parquet")
    broken = issues[issues["file"] == "broken.xlsx"]
    assert list(broken["severity"]) == ["error"]
    assert "broken.xlsx" in capsys.readouterr().out


def test_ingest_csv_and_parquet_hold_the_same_submissions(raw_folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["ingest", "--raw", str(raw_folder), "--out", str(out)]) == 0
    csv = pd.read_csv(out / "submissions.csv", encoding="utf-8-sig", keep_default_na=False)
    parquet = pd.read_parquet(out / "submissions.parquet")
    assert list(csv["file"]) == list(parquet["file"])
    assert list(csv["status"]) == list(parquet["status"])
    capsys.readouterr()


def test_ingest_strict_passes_on_the_good_file_alone(raw_folder, tmp_path, capsys):
    (raw_folder / "broken.xlsx").unlink()
    assert main(["ingest", "--raw", str(raw_folder), "--out", str(tmp_path / "out"), "--strict"]) == 0
    capsys.readouterr()


def test_ingest_strict_exits_1_because_of_the_garbage_file(raw_folder, tmp_path, capsys):
    assert main(["ingest", "--raw", str(raw_folder), "--out", str(tmp_path / "out"), "--strict"]) == 1
    assert "--strict" in capsys.readouterr().err


def test_ingest_missing_raw_folder_exits_2(tmp_path, capsys):
    assert main(["ingest", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 2
    assert "nope" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------------ --jobs


@pytest.mark.parametrize("command", [["ingest"], ["report", "--quarter", "2021Q3"]])
@pytest.mark.parametrize("jobs", ["0", "-1", "hai"])
def test_jobs_below_one_or_not_a_number_is_refused_in_vietnamese(command, jobs, tmp_path, capsys):
    """Before, `--jobs 0` and `-1` were accepted silently."""
    assert _exit_code([*command, "--jobs", jobs, "--raw", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "--jobs" in err
    assert "số tiến trình phải từ 1 trở lên" in err or "không phải là số nguyên" in err
    assert "Traceback" not in err


def test_jobs_1000_is_capped_with_a_message(raw_folder, tmp_path, capsys, monkeypatch):
    """Before, `--jobs 1000` started 78 processes and 14 kernels and the machine ran out of memory."""
    from analysis.core import workers

    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(workers, "available_memory", lambda: 4 * 1024**3)
    assert main(["ingest", "--raw", str(raw_folder), "--out", str(tmp_path / "out"), "--jobs", "1000"]) == 0
    err = capsys.readouterr().err
    assert "Chỉ chạy 2 tiến trình đọc tệp song song thay vì 1000 (máy có 2 lõi" in err


def test_report_workers_are_capped_before_the_build(tmp_path, capsys, monkeypatch):
    import analysis.report.build as build
    from analysis.core import workers

    asked = {}

    def fake_build(quarter, **kwargs):
        asked.update(kwargs)
        raise ValueError("dừng ở đây")

    monkeypatch.setattr(workers, "cores", lambda: 8)
    monkeypatch.setattr(workers, "available_memory", lambda: 2 * 1024**3)  # 2 GB: three report workers
    monkeypatch.setattr(build, "build_report", fake_build)
    assert main(["report", "--quarter", "2021Q3", "--jobs", "1000", "--out", str(tmp_path)]) == 2
    assert asked["workers"] == 3
    err = capsys.readouterr().err
    assert "Chỉ chạy 3 tiến trình lập báo cáo song song thay vì 1000" in err and "2,0 GB" in err


@pytest.mark.parametrize(
    ("requested", "memory_gb", "cores", "expected", "capped"),
    [(None, 64, 4, 4, False), (2, 64, 4, 2, False), (1000, 64, 4, 4, True), (8, 1, 16, 3, True), (4, 0, 4, 1, True)],
)
def test_cap_by_cores_and_memory(requested, memory_gb, cores, expected, capped):
    from analysis.core.workers import cap

    found = cap(requested, "ingest", memory=memory_gb * 1024**3, n_cores=cores)
    assert found.count == expected and bool(found.message) == capped


# ------------------------------------------------------------------------------------------------- narrative


def test_narrative_prints_who_reported_before_the_paragraphs(catalogue, tmp_path, monkeypatch, capsys):
    """The small province (tests/small_province.py): 3 units in 2021Q3 and 2021Q2, 3 in 2020Q3."""
    from analysis.ingest.run import run_ingest
    from tests.small_province import QUARTER, write_province

    province = write_province(tmp_path, catalogue)
    monkeypatch.setenv("ANALYSIS_CONFIG", str(province.config))
    run_ingest(province.raw, province.processed)
    capsys.readouterr()
    assert main(["narrative", "--quarter", QUARTER, "--processed", str(province.processed)]) == 0
    said = capsys.readouterr().out
    assert main(["narrative", "--quarter", "quý III/2021", "--processed", str(province.processed)]) == 0
    assert capsys.readouterr().out == said  # the quarter as a person writes it
    first, _, rest = said.partition("\n\n")
    assert first.startswith("Đơn vị báo cáo quý III/2021: ")
    assert "; quý II/2021: " in first and "cùng kỳ năm 2020 (quý III/2020): " in first
    assert rest.startswith("Công tác tiếp công dân\n")
