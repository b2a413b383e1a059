"""Who sent a file, for which quarter, and when: report dates only from where a report date is written, the unit
named in the content against the file and folder names, the same file or figures under two units, and timeliness
from the first complete submission (issue 11, items 2, 3, 15, 16, 20). Each test plays the attack on a tiny raw
folder and checks the outcome by hand-worked values."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import Workbook

from analysis.catalogue.template import COLUMNS, INFO_SHEET, template_layout
from analysis.compare.report_data import ReportData
from analysis.core import labels
from analysis.core.periods import Quarter
from analysis.demo.workbook import finalise_zip
from analysis.ingest import parse
from analysis.ingest.preflight import Limits
from analysis.ingest.run import ingest, run_ingest
from analysis.ingest.submission import Submission
from analysis.views import quality
from tests.factories import renamed_unit

Q2, Q3 = Quarter(2021, 2), Quarter(2021, 3)


def saved_at(path, when: datetime):
    """The document's saved time, as Excel writes it (openpyxl stamps "now" on save)."""
    finalise_zip(path, {}, when)
    return path


def note_in_first_row(catalogue, text: str):
    """The unit's note ("Ghi chú") on the first indicator row."""
    layout = template_layout(catalogue).iloc[0]

    def edit(wb: Workbook) -> None:
        wb[layout["sheet"]].cell(row=int(layout["row"]), column=COLUMNS["note"]).value = text

    return edit


def sentence_below_table(text: str):
    """A free sentence under the signature of the first data sheet, as units add a legal basis."""

    def edit(wb: Workbook) -> None:
        ws = wb.worksheets[1]
        ws.cell(row=ws.max_row + 2, column=1).value = text

    return edit


def tables(raw, ctx):
    result = ingest(raw, ctx)
    subs = result.tables["submissions"].set_index("file")
    return result, subs, result.tables["issues"], result.tables["completeness"]


def of_rule(issues: pd.DataFrame, rule: str) -> pd.DataFrame:
    return issues[issues["rule"] == rule]


def completeness_row(completeness: pd.DataFrame, period: str, unit: str) -> pd.Series:
    rows = completeness[(completeness["period"] == period) & (completeness["unit_code"] == unit)]
    assert len(rows) == 1
    return rows.iloc[0]


# ------------------------------------------------------------------------------------------- report dates


def test_a_far_date_in_a_note_does_not_beat_a_genuine_correction(make_submission, ctx, known_values, catalogue):
    code = template_layout(catalogue).iloc[0]["indicator"]
    note = note_in_first_row(catalogue, "Theo kế hoạch ngày 31/12/2099")
    original = make_submission(name="ban-dau.xlsx", report_date=date(2021, 9, 15), edits=[note])
    corrected = {**known_values, code: known_values[code] + 1}
    correction = make_submission(name="ban-sua.xlsx", values=corrected, report_date=date(2021, 9, 20))
    saved_at(correction, datetime(2021, 9, 20, 9))
    saved_at(original, datetime(2021, 9, 21, 9))  # saved last: the file time cannot be what decides
    result, subs, issues, _ = tables(original.parent, ctx)
    assert subs["status"].to_dict() == {"ban-dau.xlsx": "superseded", "ban-sua.xlsx": "accepted"}
    assert subs.at["ban-dau.xlsx", "report_date"] == "2021-09-15"
    assert result.tables["values"].set_index("indicator").at[code, "value"] == known_values[code] + 1
    assert of_rule(issues, "report_date_future").empty  # a note is not a report date: nothing to warn about


def test_a_decision_date_in_a_sentence_does_not_make_a_unit_late(make_submission, ctx):
    edits = [sentence_below_table("Quyết định số 12 ngày 05/10/2021"), sentence_below_table("Căn cứ, ngày 5/10/2021")]
    path = make_submission(name="2021Q3_an_binh.xlsx", unit_code="an_binh", edits=edits)
    _, subs, _, completeness = tables(path.parent, ctx)
    assert subs.at["2021Q3_an_binh.xlsx", "report_date"] == "2021-09-20"
    row = completeness_row(completeness, "2021Q3", "an_binh")
    assert (row["status"], row["report_date"], row["deadline"]) == ("on_time", "2021-09-20", "2021-09-21")


def test_the_signature_line_and_the_info_field_are_report_dates(make_submission, ctx):
    def signature_only(wb: Workbook) -> None:
        info = wb[INFO_SHEET]
        for label, value in info.iter_rows(max_col=2):
            if isinstance(label.value, str) and label.value.startswith("Ngày lập"):
                value.value = None

    path = make_submission(report_date=date(2021, 9, 18), edits=[signature_only])
    _, subs, _, _ = tables(path.parent, ctx)
    assert subs["report_date"].tolist() == ["2021-09-18"]


@pytest.mark.parametrize(
    ("written", "rule", "words"),
    [
        (date(2099, 12, 31), "report_date_future", "sau ngày xử lý"),
        (date(2020, 1, 5), "report_date_too_early", "trước ngày đầu kỳ báo cáo (15/06/2021)"),
    ],
)
def test_an_implausible_report_date_is_a_warning_and_not_used(make_submission, ctx, written, rule, words):
    path = make_submission(name="2021Q3_an_binh.xlsx", unit_code="an_binh", report_date=written)
    _, subs, issues, completeness = tables(path.parent, ctx)
    assert subs["report_date"].tolist() == [""]
    flagged = of_rule(issues, rule)
    assert flagged["severity"].tolist() == ["warning"]
    assert f"{written:%d/%m/%Y}" in flagged["message"].iloc[0] and words in flagged["message"].iloc[0]
    assert completeness_row(completeness, "2021Q3", "an_binh")["status"] == "received_undated"


def test_an_implausible_date_does_not_decide_which_file_is_newer(make_submission, ctx, known_values):
    future = make_submission(name="a.xlsx", report_date=date(2099, 12, 31))
    make_submission(name="b.xlsx", report_date=date(2021, 9, 20), values={k: v + 1 for k, v in known_values.items()})
    saved_at(future, datetime(2021, 9, 25))
    _, subs, _, _ = tables(future.parent, ctx)
    assert subs["status"].to_dict() == {"a.xlsx": "superseded", "b.xlsx": "accepted"}


# ----------------------------------------------------------------------------------------------- identity


@pytest.mark.parametrize("copy_name", ["2021Q3_an_binh.xlsx", "an_binh/bao_cao_quy_3.xlsx"])
def test_another_units_content_under_an_binhs_name(make_submission, ctx, known_values, catalogue, tmp_path, copy_name):
    code = template_layout(catalogue).iloc[0]["indicator"]
    raw = tmp_path / "raw"
    genuine = make_submission(name="2021Q3_thuy_lam.xlsx", unit_code="thuy_lam")
    saved_at(genuine, datetime(2021, 9, 20, 9))
    copy = make_submission(name=copy_name, unit_code="thuy_lam", values={**known_values, code: 999})
    saved_at(copy, datetime(2021, 9, 22, 9))  # saved later: it would win on time alone
    result, subs, issues, completeness = tables(raw, ctx)
    mismatch = of_rule(issues, "unit_mismatch_path")
    assert mismatch["file"].tolist() == [copy_name]
    assert "Huyện Thủy Lâm" in mismatch["message"].iloc[0] and "Huyện An Bình" in mismatch["message"].iloc[0]
    conflict = of_rule(issues, "supersession_unit_conflict")
    assert sorted(conflict["file"]) == sorted([copy_name, "2021Q3_thuy_lam.xlsx"])
    assert set(conflict["severity"]) == {"error"}
    assert all(copy_name in m and "2021Q3_thuy_lam.xlsx" in m for m in conflict["message"])
    assert subs.at["2021Q3_thuy_lam.xlsx", "status"] == "accepted"
    assert subs.at[copy_name, "status"] == "superseded"
    assert result.tables["values"].set_index("indicator").at[code, "value"] == known_values[code]
    an_binh = completeness_row(completeness, "2021Q3", "an_binh")
    assert (an_binh["status"], an_binh["notes"], an_binh["note_files"]) == ("missing", "named_for_unit", copy_name)


def test_byte_identical_files_under_two_units_names_are_flagged(make_submission, ctx, tmp_path):
    genuine = make_submission(name="2021Q3_thuy_lam.xlsx", unit_code="thuy_lam")
    shutil.copy(genuine, tmp_path / "raw" / "2021Q3_an_binh.xlsx")
    _, _, issues, _ = tables(tmp_path / "raw", ctx)
    flagged = of_rule(issues, "duplicate_file_units")
    assert sorted(flagged["file"]) == ["2021Q3_an_binh.xlsx", "2021Q3_thuy_lam.xlsx"]
    assert set(flagged["severity"]) == {"error"}
    assert "2021Q3_thuy_lam.xlsx" in flagged.set_index("file").at["2021Q3_an_binh.xlsx", "message"]


def test_byte_identical_files_of_one_unit_are_not_an_identity_problem(make_submission, ctx, tmp_path):
    genuine = make_submission(name="2021Q3_thuy_lam.xlsx", unit_code="thuy_lam")
    shutil.copy(genuine, tmp_path / "raw" / "2021Q3_thuy_lam (1).xlsx")
    _, _, issues, _ = tables(tmp_path / "raw", ctx)
    assert of_rule(issues, "duplicate_file_units").empty and of_rule(issues, "duplicate_figures_units").empty


def test_the_same_figures_under_two_units_are_flagged(make_submission, ctx, tmp_path):
    make_submission(name="2021Q3_thuy_lam.xlsx", unit_code="thuy_lam")
    make_submission(name="2021Q3_an_binh.xlsx", unit_code="an_binh")  # the same known figures, An Bình's name
    _, _, issues, _ = tables(tmp_path / "raw", ctx)
    flagged = of_rule(issues, "duplicate_figures_units").set_index("file")
    assert sorted(flagged.index) == ["2021Q3_an_binh.xlsx", "2021Q3_thuy_lam.xlsx"]
    assert "Huyện Thủy Lâm" in flagged.at["2021Q3_an_binh.xlsx", "message"]
    assert set(flagged["severity"]) == {"warning"}


def test_all_zero_or_blank_figures_are_nobodys_fingerprint(make_submission, ctx, tmp_path, known_values):
    zeros = dict.fromkeys(known_values, 0.0)
    nearly = {**dict.fromkeys(list(known_values)[:60], 0.0), **dict.fromkeys(list(known_values)[60:64], 1.0)}
    make_submission(name="2021Q3_thuy_lam.xlsx", unit_code="thuy_lam", values=zeros)
    make_submission(name="2021Q3_an_binh.xlsx", unit_code="an_binh", values=zeros)
    make_submission(name="2021Q3_tan_khe.xlsx", unit_code="tan_khe", values=nearly)
    make_submission(name="2021Q3_dong_phong.xlsx", unit_code="dong_phong", values=nearly)
    _, subs, issues, _ = tables(tmp_path / "raw", ctx)
    assert set(subs["status"]) == {"accepted"}
    assert of_rule(issues, "duplicate_figures_units").empty and of_rule(issues, "duplicate_file_units").empty


def test_last_quarters_copy_renamed_as_this_quarter_shows_on_this_quarter(make_submission, ctx, tmp_path):
    path = make_submission(name="2021Q3_an_binh.xlsx", unit_code="an_binh", quarter=Q2, report_date=date(2021, 6, 18))
    _, subs, issues, completeness = tables(path.parent, ctx)
    assert subs.at["2021Q3_an_binh.xlsx", "period"] == "2021Q2"
    assert of_rule(issues, "period_mismatch_path")["file"].tolist() == ["2021Q3_an_binh.xlsx"]
    q3 = completeness_row(completeness, "2021Q3", "an_binh")
    assert (q3["status"], q3["notes"], q3["note_files"]) == ("missing", "named_for_quarter", "2021Q3_an_binh.xlsx")
    q2 = completeness_row(completeness, "2021Q2", "an_binh")
    assert (q2["status"], q2["notes"]) == ("on_time", "")


def test_a_unit_not_in_the_list_is_named_as_such(make_submission, ctx, registry):
    edit = renamed_unit(registry.get("an_binh").name, "Huyện Không Có")
    path = make_submission(name="2021Q3_an_binh.xlsx", unit_code="an_binh", edits=[edit])
    _, subs, issues, _ = tables(path.parent, ctx)
    assert subs["unit_code"].tolist() == ["an_binh"] and subs["unit_source"].tolist() == ["file name"]
    flagged = of_rule(issues, "unit_not_in_list")
    assert len(flagged) == 1
    message = flagged["message"].iloc[0]
    assert "“Huyện Không Có”" in message and "không có trong danh sách đơn vị báo cáo" in message
    assert not issues["message"].str.contains("Không thấy tên đơn vị trong nội dung").any()


def test_a_unit_not_in_the_list_without_a_name_in_the_file_name_is_rejected_saying_so(make_submission, ctx, registry):
    edit = renamed_unit(registry.get("an_binh").name, "Huyện Không Có")
    path = make_submission(name="bc.xlsx", unit_code="an_binh", edits=[edit])
    _, subs, _, _ = tables(path.parent, ctx)
    assert subs["status"].tolist() == ["rejected"]
    assert "“Huyện Không Có”" in subs["reason"].iloc[0] and "không có trong danh sách" in subs["reason"].iloc[0]


def test_the_kept_file_saved_earlier_is_said(make_submission, ctx, known_values):
    kept = make_submission(name="a.xlsx", report_date=date(2021, 9, 20))
    later = make_submission(
        name="b.xlsx", report_date=date(2021, 9, 18), values={k: v + 1 for k, v in known_values.items()}
    )
    saved_at(kept, datetime(2021, 9, 20, 9))
    saved_at(later, datetime(2021, 9, 25, 9))
    _, subs, _, _ = tables(kept.parent, ctx)
    assert subs["status"].to_dict() == {"a.xlsx": "accepted", "b.xlsx": "superseded"}
    reason = subs.at["b.xlsx", "reason"]
    assert "ghi ngày báo cáo 20/09/2021" in reason and "được lưu sớm hơn" in reason


def test_a_kept_file_both_newer_and_saved_later_gets_no_extra_word(make_submission, ctx, known_values):
    first = make_submission(name="a.xlsx", report_date=date(2021, 9, 18))
    kept = make_submission(
        name="b.xlsx", report_date=date(2021, 9, 20), values={k: v + 1 for k, v in known_values.items()}
    )
    saved_at(first, datetime(2021, 9, 18, 9))
    saved_at(kept, datetime(2021, 9, 20, 9))
    _, subs, _, _ = tables(kept.parent, ctx)
    assert subs.at["a.xlsx", "reason"] == "Đã có bản nộp mới hơn của cùng đơn vị và kỳ: b.xlsx"


# -------------------------------------------------------------------------------------------- timeliness


def test_a_correction_after_the_deadline_keeps_the_unit_on_time(make_submission, ctx, known_values):
    original = make_submission(name="2021Q3_an_binh.xlsx", unit_code="an_binh", report_date=date(2021, 9, 17))
    fixed = {k: v + 1 for k, v in known_values.items()}
    make_submission(name="2021Q3_an_binh_sua.xlsx", unit_code="an_binh", values=fixed, report_date=date(2021, 9, 25))
    _, subs, _, completeness = tables(original.parent, ctx)
    assert subs.at["2021Q3_an_binh_sua.xlsx", "status"] == "accepted"
    row = completeness_row(completeness, "2021Q3", "an_binh")
    got = row[["status", "report_date", "first_file", "source_file", "corrected", "correction_date"]].tolist()
    assert got == ["on_time", "2021-09-17", "2021Q3_an_binh.xlsx", "2021Q3_an_binh_sua.xlsx", True, "2021-09-25"]


def test_a_late_completion_of_a_partial_report_is_late(make_submission, ctx, known_values):
    partial = dict(list(known_values.items())[:10])
    first = make_submission(name="dot1.xlsx", unit_code="an_binh", values=partial, report_date=date(2021, 9, 17))
    make_submission(name="dot2.xlsx", unit_code="an_binh", report_date=date(2021, 9, 25))
    _, _, _, completeness = tables(first.parent, ctx)
    row = completeness_row(completeness, "2021Q3", "an_binh")
    assert row[["status", "report_date", "first_file", "corrected"]].tolist() == [
        "late",
        "2021-09-25",
        "dot2.xlsx",
        False,
    ]


# ------------------------------------------------------------------------------------------------ big files


def test_a_file_over_the_size_cap_is_rejected_by_its_size_without_being_read(make_submission, ctx, monkeypatch):
    path = make_submission()

    def no_hashing(_path):
        raise AssertionError("hashed a file over the size cap")

    monkeypatch.setattr(parse, "file_sha256", no_hashing)
    small = dataclasses.replace(ctx, limits=Limits(max_file_bytes=1024))
    sub = parse.parse_submission(path, path.parent, small)
    assert sub.status == "rejected" and "Tệp quá lớn" in sub.reason and sub.sha256 == ""


def test_the_parent_never_reads_a_file_again_after_a_worker_failure(make_submission, monkeypatch):
    path = make_submission()
    monkeypatch.setattr(parse, "file_sha256", lambda _path: pytest.fail("hashed again in the parent"))
    sub = parse._file_facts(path, Submission(file="sub.xlsx"), None)
    assert (sub.sha256, sub.size_bytes) == ("", path.stat().st_size)


# ------------------------------------------------------------------------------------------ what pages say


def data_of(raw, tmp_path) -> ReportData:
    out = tmp_path / "processed"
    run_ingest(raw, out)
    return ReportData.load("2021Q3", out)


def test_the_quality_page_shows_the_correction_beside_the_first_submission(make_submission, known_values, tmp_path):
    original = make_submission(name="2021Q3_an_binh.xlsx", unit_code="an_binh", report_date=date(2021, 9, 17))
    fixed = {k: v + 1 for k, v in known_values.items()}
    make_submission(name="2021Q3_an_binh_sua.xlsx", unit_code="an_binh", values=fixed, report_date=date(2021, 9, 25))
    notes = quality.submission_notes(data_of(original.parent, tmp_path))
    assert notes.to_dict("records") == [
        {
            "Đơn vị": "Huyện An Bình",
            "Tình trạng": labels.label("completeness_status", "on_time"),
            "Ghi chú": "Thời hạn tính theo bản đầu tiên đầy đủ 2021Q3_an_binh.xlsx ngày 17/09/2021; số liệu lấy theo "
            "bản sửa 2021Q3_an_binh_sua.xlsx ngày 25/09/2021",
        }
    ]


def test_this_quarters_page_names_last_quarters_copy_under_the_units_name(make_submission, tmp_path):
    path = make_submission(name="2021Q3_an_binh.xlsx", unit_code="an_binh", quarter=Q2, report_date=date(2021, 6, 18))
    make_submission(name="2021Q3_tan_khe.xlsx", unit_code="tan_khe")  # so that the data hold 2021Q3
    notes = quality.submission_notes(data_of(path.parent, tmp_path)).set_index("Đơn vị")
    assert list(notes.index) == ["Huyện An Bình"]
    assert notes.at["Huyện An Bình", "Tình trạng"] == labels.label("completeness_status", "missing")
    assert notes.at["Huyện An Bình", "Ghi chú"] == (
        labels.label("completeness_note", "named_for_quarter") + " (tệp: 2021Q3_an_binh.xlsx)"
    )


def test_a_unit_without_corrections_or_misfiled_files_gets_no_note(make_submission, tmp_path):
    path = make_submission(name="2021Q3_an_binh.xlsx", unit_code="an_binh")
    assert quality.submission_notes(data_of(path.parent, tmp_path)).empty
