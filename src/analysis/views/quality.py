"""Data-quality views for the report: who reported and when, what went wrong where, which figures look unusual."""

from __future__ import annotations

import pandas as pd

from analysis.compare import unusual
from analysis.compare.comparisons import MIN_HISTORY
from analysis.compare.report_data import ReportData
from analysis.core import escape, labels, vnformat
from analysis.core.periods import Quarter
from analysis.ingest.schema import USED_STATUSES
from analysis.views import problems


def completeness_matrix(data: ReportData) -> pd.DataFrame:
    """Units × quarters of completeness status codes (labels.yaml) up to the report quarter."""
    table = data.completeness[data.completeness["period"].isin(data.periods)]
    order = [u.name for u in data.registry.units if u.code in set(table["unit_code"])]
    matrix = table.pivot_table(index="unit_name", columns="period", values="status", aggfunc="first")
    return matrix.reindex(index=order, columns=data.periods).fillna("not_expected")


def summary(data: ReportData) -> dict[str, int]:
    """The quarter in numbers; `errors` counts every error (files used and rejected files), as the index does."""
    now = data.completeness_now()
    expected = now[now["expected"]]
    c = problems.counts(data.submissions, data.issues, data.quarter.label)
    return {
        "expected": len(expected),
        "received": int(expected["received"].sum()),
        "on_time": int((expected["status"] == "on_time").sum()),
        "late": int((expected["status"] == "late").sum()),
        "missing": int((~expected["received"]).sum()),
        "errors": c.errors,
        "data_errors": c.data_errors,
        "rejected": c.rejected,
        "warnings": c.warnings,
        "files": c.files,
    }


def summary_text(data: ReportData) -> str:
    s = summary(data)
    q = data.quarter
    text = (
        f"Trong {q.vn}, {s['received']}/{s['expected']} đơn vị đã gửi báo cáo"
        f" ({s['on_time']} đơn vị đúng hạn, {s['late']} đơn vị nộp muộn)"
    )
    if s["missing"]:
        missing = data.completeness_now().query("expected and not received")["unit_name"]
        text += f"; chưa nộp: {', '.join(escape.md(name) for name in missing)}"
    text += f". Kiểm tra {s['files']} tệp số liệu phát hiện {s['errors']} lỗi"
    if s["rejected"]:
        text += f" (trong đó {s['rejected']} tệp bị từ chối, số liệu của các tệp này không được tính)"
    return text + f" và {s['warnings']} cảnh báo (chi tiết ở các bảng dưới)."


def rejected_files(data: ReportData) -> pd.DataFrame:
    """The quarter's rejected files (and those whose quarter is unknown): unit, reason, what to do."""
    return problems.rejected_table(data.submissions, data.issues, data.registry, data.quarter.label)


def current_issues(data: ReportData) -> pd.DataFrame:
    """Issues of the files used for this quarter's figures, and of the hand entries for it."""
    issues = data.issues
    return issues[(issues["period"] == data.quarter.label) & issues["submission_status"].isin(problems.READ)]


def manual_line_errors(data: ReportData) -> pd.DataFrame:
    """The lines of the hand entries' files that could not be used (any quarter: a wrong line has none)."""
    issues = data.issues
    rows = issues[(issues["submission_status"] == problems.MANUAL) & (issues["severity"] == "error")]
    return pd.DataFrame(
        {
            "Tệp": rows["file"],
            "Vị trí": [vnformat.place(s, c) for s, c in zip(rows["sheet"], rows["cell"], strict=True)],
            "Nội dung": rows["message"],
            problems.ACTION: [problems.what_to_do(r) for r in rows["rule"]],
        }
    )


def issues_by_unit(data: ReportData) -> pd.DataFrame:
    issues = current_issues(data)
    names = {u.code: u.name for u in data.registry.units}
    counts = issues.groupby(["unit_code", "severity"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=["error", "warning"], fill_value=0)
    order = [u.code for u in data.registry.units if u.code in counts.index]
    counts = counts.reindex(order)
    return pd.DataFrame(
        {
            "Đơn vị": [names[c] for c in counts.index],
            labels.label("severity", "error"): counts["error"].astype(int).tolist(),
            labels.label("severity", "warning"): counts["warning"].astype(int).tolist(),
        }
    )


def issue_list(data: ReportData, severity: str | None = "error", unit_code: str | None = None) -> pd.DataFrame:
    """Issues of the files used this quarter (of one severity, of one unit), with what to do about each."""
    issues = current_issues(data)
    if severity:
        issues = issues[issues["severity"] == severity]
    if unit_code:
        issues = issues[issues["unit_code"] == unit_code]
    names = {u.code: u.name for u in data.registry.units}
    return pd.DataFrame(
        {
            "Đơn vị": issues["unit_code"].map(names),
            "Mức": labels.label_column(issues["severity"], "severity"),
            "Tệp": issues["file"],
            "Vị trí": [vnformat.place(s, c) for s, c in zip(issues["sheet"], issues["cell"], strict=True)],
            "Nội dung": issues["message"],
            problems.ACTION: [problems.what_to_do(r) for r in issues["rule"]],
        }
    )


def file_status_table(data: ReportData) -> pd.DataFrame:
    """Files replaced by a later version for this quarter (rejected files have their own table: `rejected_files`)."""
    subs = data.submissions
    unused = subs[~subs["status"].isin([*USED_STATUSES, "rejected"]) & (subs["period"] == data.quarter.label)]
    return pd.DataFrame(
        {
            "Tệp": unused["file"],
            "Đơn vị": unused["unit_name"].replace("", "—"),
            "Tình trạng": labels.label_column(unused["status"], "submission_status"),
            "Lý do": unused["reason"],
        }
    )


def _dated(text: str, iso: str) -> str:
    return f"{text} ngày {vnformat.iso_day(iso)}" if iso else text


def submission_note(row: pd.Series) -> str:
    """What an analyst must know about a unit's submission this quarter, in words ("" when nothing)."""
    parts = []
    if row["corrected"]:
        first = _dated(f"bản đầu tiên đầy đủ {row['first_file']}", row["report_date"])
        fix = _dated(f"bản sửa {row['source_file']}", row["correction_date"])
        parts.append(f"Thời hạn tính theo {first}; số liệu lấy theo {fix}")
    if row["notes"]:
        words = "; ".join(labels.label("completeness_note", code) for code in row["notes"].split(";"))
        parts.append(f"{words} (tệp: {row['note_files'].replace(';', ', ')})")
    return ". ".join(parts)


def submission_notes(data: ReportData) -> pd.DataFrame:
    """Units this quarter whose figures come from a correction (timeliness from the first complete submission) or
    under whose names a file of another quarter or unit was filed: unit, status, what to know."""
    now = data.completeness_now()
    flagged = now[now["corrected"] | (now["notes"] != "")]
    return pd.DataFrame(
        {
            "Đơn vị": flagged["unit_name"],
            "Tình trạng": labels.label_column(flagged["status"], "completeness_status"),
            "Ghi chú": [submission_note(row) for _, row in flagged.iterrows()],
        }
    )


def outlier_table(data: ReportData, unit_code: str | None = None) -> pd.DataFrame:
    """The unusual figures worth a call to the unit (`compare.unusual.notable`), most unusual first: unit, indicator,
    this quarter's figure, the unit's usual level and range, and what is unusual in words."""
    measures = {i.code: i.unit for i in data.catalogue.indicators}
    flagged = unusual.notable(data.outliers, measures)
    if unit_code:
        flagged = flagged[flagged["unit_code"] == unit_code]
    units = flagged["indicator"].map(measures)
    return pd.DataFrame(
        {
            "Đơn vị": flagged["unit_name"],
            "Chỉ tiêu": flagged["indicator"].map(lambda c: data.catalogue.indicator(c).name),
            data.quarter.vn_title: [vnformat.with_unit(v, u) for v, u in zip(flagged["value"], units, strict=True)],
            "Mức thường thấy": [vnformat.with_unit(v, u) for v, u in zip(flagged["median"], units, strict=True)],
            "Các quý trước": [
                f"{vnformat.figure(lo, u)} – {vnformat.figure(hi, u)}"
                for lo, hi, u in zip(flagged["hist_min"], flagged["hist_max"], units, strict=True)
            ],
            "Nhận xét": [
                unusual_words(v, m, u) for v, m, u in zip(flagged["value"], flagged["median"], units, strict=True)
            ],
        }
    )


def unusual_words(value: float, usual: float, unit: str) -> str:
    """What is unusual about a figure, in words: "cao gấp 3,1 lần mức thường thấy của đơn vị" ("usual": the median
    of the unit's earlier quarters)."""
    usual_said = vnformat.with_unit(usual, unit)
    if unit == "%":
        side = "cao hơn" if value > usual else "thấp hơn"
        return (
            f"{side} {vnformat.number(abs(value - usual), 1)} điểm % so với mức thường thấy của đơn vị ({usual_said})"
        )
    if usual == 0:
        return "các quý trước của đơn vị thường bằng 0"
    if value == 0:
        return f"bằng 0, trong khi mức thường thấy của đơn vị là {usual_said}"
    ratio = value / usual
    if ratio >= 2:
        return f"cao gấp {vnformat.auto(round(ratio, 1))} lần mức thường thấy của đơn vị ({usual_said})"
    side = "cao hơn" if ratio > 1 else "thấp hơn"
    return f"{side} {vnformat.number(abs(ratio - 1) * 100)}% so với mức thường thấy của đơn vị ({usual_said})"


def outlier_note(quarter: Quarter) -> str:
    count, money = unusual.COUNT_FLOOR, unusual.FLOORS["triệu đồng"]
    return (
        f"Số liệu {quarter.vn} được nêu khi khác hẳn các quý trước của chính đơn vị: nằm ngoài khoảng các quý "
        "trước và chênh lệch với mức thường thấy (số ở giữa của các quý trước) từ một nửa trở lên, đồng thời từ "
        f"{vnformat.number(count.change)} trở lên (số tiền: từ {vnformat.number(money.change)} triệu đồng; tỷ lệ: "
        f"từ {vnformat.number(unusual.RATE_POINTS)} điểm %); bỏ qua số nhỏ (dưới {vnformat.number(count.small)}); "
        f"cần ít nhất {MIN_HISTORY} quý số liệu trước đó. Xếp theo mức khác thường, lớn nhất trước. Đây là những "
        "số liệu nên hỏi lại đơn vị, không phải là sai sót."
    )


def revisions_table(data: ReportData) -> pd.DataFrame:
    """Every figure of a published quarter changed since it was published: unit, quarter, figure, published →
    now, where the figure now comes from."""
    rows = data.revisions
    indicators = (data.catalogue.whole or data.catalogue).indicators
    names, units = {i.code: i.name for i in indicators}, {i.code: i.unit for i in indicators}

    def shown(column: str) -> list[str]:
        return [vnformat.figure(v, units.get(c, "")) for v, c in zip(rows[column], rows["indicator"], strict=True)]

    return pd.DataFrame(
        {
            "Đơn vị": rows["unit_name"],
            "Kỳ": rows["period"].map(lambda p: Quarter.parse(p).vn),
            "Chỉ tiêu": rows["indicator"].map(names),
            "Đã công bố": shown("published"),
            "Hiện nay": shown("current"),
            "Tệp": rows["source_file"].fillna(""),
            "Vị trí": [
                vnformat.place(s, c) for s, c in zip(rows["sheet"].fillna(""), rows["cell"].fillna(""), strict=True)
            ],
            "Ngày công bố": rows["published_on"].map(vnformat.iso_day),
        }
    )
