"""One cell or name stops nothing (issue 11, items 6–9, 11, and the number items of 15 and 17): each attack on a tiny
fixture, then what must happen instead — the file or folder costs only itself, with an issue naming it."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from analysis.catalogue.template import COLUMNS, QuarterOutOfRange, check_quarter, template_layout, write_template
from analysis.compare.report_data import ReportData
from analysis.core import vnformat
from analysis.core.periods import Quarter
from analysis.exports.docx import write_docx
from analysis.exports.xlsx import write_tables
from analysis.ingest import discover
from analysis.ingest.records import _dumps
from analysis.ingest.run import ingest, run_ingest

GOOD = "2021Q3_an_binh.xlsx"


def _cell(catalogue, code: str) -> tuple[str, int, str]:
    layout = template_layout(catalogue).set_index("indicator")
    return layout.at[code, "sheet"], int(layout.at[code, "row"]), layout.at[code, "cell"]


def _type(catalogue, typed: dict[str, object], column: int = COLUMNS["value"]):
    def edit(wb) -> None:
        for code, value in typed.items():
            sheet, row, _ = _cell(catalogue, code)
            wb[sheet].cell(row=row, column=column).value = value

    return edit


def _subs(result):
    return result.tables["submissions"].set_index("file")


def _issues(result, rule: str):
    issues = result.tables["issues"]
    return issues[issues["rule"] == rule]


# ------------------------------------------------------------------------------------ item 6: non-UTF-8 names


def test_a_name_that_is_not_utf8_survives_and_shows_readably(make_submission, tmp_path, ctx):
    good = make_submission(GOOD, unit_code="an_binh")
    raw = good.parent
    bad = os.path.join(os.fsencode(raw), b"2021Q3_thuy_l\xe2m.xlsx")  # CP1258 bytes, as a zip from Windows unpacks
    shutil.copy(good, bad)
    result = ingest(raw, ctx)
    subs = _subs(result)
    assert subs.at[GOOD, "status"] == "accepted"
    shown = "2021Q3_thuy_l\\xE2m.xlsx"
    assert subs.at[shown, "status"] == "rejected" and "UTF-8" in subs.at[shown, "reason"]
    assert _issues(result, "undecodable_name")["file"].tolist() == [shown]


def test_the_record_store_never_fails_on_a_surrogate():
    line = _dumps({"file": "a\udce2b.xlsx", "note": "\\u"})
    assert json.loads(line) == {"file": "a\udce2b.xlsx", "note": "\\u"}
    assert discover.readable_name("a\udce2b.xlsx") == "a\\xE2b.xlsx"


# ----------------------------------------------------------------------------------- item 7: any float formats


@pytest.mark.parametrize("x", [1e28, 1e300, -1e300, 1.7976931348623157e308, math.inf, -math.inf, math.nan, 5e-324])
def test_vnformat_never_raises(x):
    for text in (
        vnformat.number(x),
        vnformat.number(x, 2),
        vnformat.auto(x),
        vnformat.percent(x, sign=True),
        vnformat.change_words(x),
        vnformat.with_unit(x, "lượt"),
        vnformat.figure(x, "%"),
    ):
        assert isinstance(text, str) and text


def test_large_numbers_show_no_float_noise():
    assert vnformat.number(1e28) == "10.000.000.000.000.000.000.000.000.000"
    assert vnformat.auto(1e20 + 16384) == "100.000.000.000.000.000.000"  # the float is 100000000000000016384
    assert vnformat.number(math.inf) == "—" and vnformat.auto(-math.inf) == "—"


# ------------------------------------------------------------------------- item 8: control characters in a note


def test_a_control_character_in_a_note_does_not_break_the_exports(make_submission, tmp_path, ctx, catalogue):
    note = "Theo báo cáo_x000B_của Công an huyện"  # what Excel stores for a line break pasted from Word
    raw = make_submission(GOOD, unit_code="an_binh", edits=[_type(catalogue, {"TCD01": note}, COLUMNS["note"])]).parent
    run_ingest(raw, tmp_path / "processed", ctx)
    data = ReportData.load("2021Q3", tmp_path / "processed")
    assert "\x0b" in "".join(data.values["remark"])  # read as the unit wrote it
    book = openpyxl.load_workbook(write_tables(data, tmp_path / "bang.xlsx"))
    notes = [c.value for row in book["01-TCD"].iter_rows(min_col=10, max_col=10) for c in row if c.value]
    assert any(n.startswith("Theo báo cáo\ncủa Công an huyện") for n in notes)
    assert write_docx(data, tmp_path / "bao-cao.docx").exists()


# --------------------------------------------------------------------------------- item 9: unreadable folders


def _dac_enforced(tmp_path: Path) -> bool:
    """Whether permission bits stop this process (not when it runs as root or with DAC override)."""
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0)
    try:
        os.listdir(probe)
        return False
    except PermissionError:
        return True
    finally:
        probe.chmod(0o755)


def test_an_unreadable_folder_costs_only_itself(make_submission, tmp_path, ctx):
    if not _dac_enforced(tmp_path):
        pytest.skip("permission bits are not enforced for this user (root)")
    raw = make_submission(GOOD, unit_code="an_binh").parent
    make_submission("khoa/2021Q3_tan_khe.xlsx", unit_code="tan_khe")
    (raw / "khoa").chmod(0)
    try:
        result = ingest(raw, ctx)
    finally:
        (raw / "khoa").chmod(0o755)
    assert _subs(result).at[GOOD, "status"] == "accepted"
    assert _issues(result, "unreadable_folder")["file"].tolist() == ["khoa"]


def test_a_folder_that_cannot_be_listed_costs_only_itself(make_submission, ctx, monkeypatch):
    """The same without relying on permission bits: listing the folder fails as it would without them."""
    raw = make_submission(GOOD, unit_code="an_binh").parent
    make_submission("khoa/2021Q3_tan_khe.xlsx", unit_code="tan_khe")
    real = os.scandir

    def scandir(path=".") -> object:
        if isinstance(path, str | os.PathLike) and Path(path).name == "khoa":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    result = ingest(raw, ctx)
    assert _subs(result).at[GOOD, "status"] == "accepted"
    issue = _issues(result, "unreadable_folder")
    assert issue["file"].tolist() == ["khoa"] and "quyền" in issue["message"].iloc[0]
    assert "khoa/2021Q3_tan_khe.xlsx" not in _subs(result).index


# ------------------------------------------------------------------------------------------ item 11: symlinks


def test_symlinks_are_never_followed_out_of_the_raw_folder(make_submission, tmp_path, ctx):
    raw = make_submission(GOOD, unit_code="an_binh").parent
    outside = tmp_path / "outside"
    make_submission("2021Q3_tan_khe.xlsx", unit_code="tan_khe", folder=outside)
    (raw / "2021Q3_thuy_lam.xlsx").symlink_to("/etc/passwd")
    (raw / "ngoai").symlink_to(outside, target_is_directory=True)
    (raw / "ban_sao.xlsx").symlink_to(raw / GOOD)  # inside: the same file, counted once
    result = ingest(raw, ctx)
    subs = _subs(result)
    assert subs.at[GOOD, "status"] == "accepted"
    skipped = _issues(result, "symlink_outside")
    assert sorted(skipped["file"]) == ["2021Q3_thuy_lam.xlsx", "ngoai"]
    assert all("ngoài thư mục dữ liệu gốc" in m for m in skipped["message"])
    passwd = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    assert passwd not in set(subs["sha256"])  # never read, never hashed
    assert "ngoai/2021Q3_tan_khe.xlsx" not in subs.index and "ban_sao.xlsx" not in subs.index
    assert (subs["status"] == "accepted").sum() == 1


# ---------------------------------------------------------------------------------- items 15 and 17: numbers


def _rewrite_cell(path: Path, sheet: str, cell: str, xml: str) -> None:
    """Replace one cell of a saved workbook's sheet XML by `xml` (as another program would have written it)."""
    member = f"xl/worksheets/sheet{openpyxl.load_workbook(path).sheetnames.index(sheet) + 1}.xml"
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts[member], n = re.subn(rf'<c r="{cell}"[^>]*?(?:/>|>.*?</c>)'.encode(), xml.encode(), parts[member])
    assert n == 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_a_20_digit_number_keeps_its_text_and_warns(make_submission, ctx, catalogue):
    path = make_submission(GOOD, unit_code="an_binh")
    sheet, _, cell = _cell(catalogue, "TCD01")
    _rewrite_cell(path, sheet, cell, f'<c r="{cell}"><v>12345678901234567890</v></c>')
    result = ingest(path.parent, ctx)
    values = result.tables["values"].set_index("indicator")
    assert values.at["TCD01", "raw"] == "12345678901234567890"  # the cell's text, not 12345678901234567168
    warned = _issues(result, "imprecise_number")
    assert warned["indicator"].tolist() == ["TCD01"] and (warned["severity"] == "warning").all()


def test_a_large_float_cell_shows_no_noise_in_raw(make_submission, ctx, catalogue):
    raw = make_submission(GOOD, unit_code="an_binh", edits=[_type(catalogue, {"TCD01": 12345678901234567890})]).parent
    values = ingest(raw, ctx).tables["values"].set_index("indicator")
    assert values.at["TCD01", "raw"] == "12345678901234570000"  # openpyxl stores 1.234567890123457e+19


def test_an_unreadable_word_is_said_once(make_submission, ctx, catalogue):
    raw = make_submission(GOOD, unit_code="an_binh", edits=[_type(catalogue, {"TCD01": "NaN"})]).parent
    message = _issues(ingest(raw, ctx), "invalid_number")["message"].iloc[0]
    assert message.count("không đọc được số") == 1 and "“NaN”" in message and "'NaN'" not in message


def test_a_cached_formula_error_is_an_issue_naming_the_cell(make_submission, ctx, catalogue):
    path = make_submission(GOOD, unit_code="an_binh")
    sheet, _, cell = _cell(catalogue, "TCD01")
    _rewrite_cell(path, sheet, cell, f'<c r="{cell}" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    result = ingest(path.parent, ctx)
    issue = _issues(result, "invalid_number")
    assert (issue["sheet"].tolist(), issue["cell"].tolist()) == ([sheet], [cell])
    assert "#DIV/0!" in issue["message"].iloc[0] and issue["severity"].iloc[0] == "error"


def test_a_blank_template_is_rejected(make_submission, ctx):
    raw = make_submission(GOOD, unit_code="an_binh", values={}).parent
    result = ingest(raw, ctx)
    assert _subs(result).at[GOOD, "status"] == "rejected"
    assert "Tệp mẫu trống" in _subs(result).at[GOOD, "reason"]
    assert _issues(result, "blank_template")["severity"].tolist() == ["error"]


@pytest.mark.parametrize("label", ["2099Q1", "1900Q1"])
def test_a_template_far_from_today_is_refused(label, tmp_path, catalogue, registry):
    from analysis.catalogue.template import TemplateContext
    from analysis.core.config import load_province_config

    quarter = Quarter.parse(label)
    context = TemplateContext(registry.province_name, registry.get("an_binh"), quarter, load_province_config().cutoff)
    with pytest.raises(QuarterOutOfRange, match="quá xa"):
        write_template(catalogue, context, tmp_path / "mau.xlsx", today=date(2026, 12, 2))
    assert not (tmp_path / "mau.xlsx").exists()


def test_quarters_near_today_are_accepted():
    today = date(2026, 12, 2)
    assert check_quarter(Quarter(2027, 4), today) == Quarter(2027, 4)  # a year ahead
    assert check_quarter(Quarter(2021, 3), today) == Quarter(2021, 3)  # a late correction of an old quarter
    with pytest.raises(QuarterOutOfRange):
        check_quarter(Quarter(2028, 1), today)
