"""Data dictionary page (Markdown, Vietnamese) generated from the catalogue and the template layout."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from analysis.catalogue.concepts import concept_table
from analysis.catalogue.lists import load_lists
from analysis.catalogue.model import Area, Catalogue, Indicator
from analysis.catalogue.rules import PAIR_OPERATORS, Rule, parse_expression
from analysis.core import labels, vnformat
from analysis.core.units import UNIT_TYPES

_NONE = "—"
_LAYOUT_COLUMNS = ("indicator", "sheet", "cell")

OPERATOR_LABELS: dict[str, str] = {
    "equal_to": "=",
    "not_equal_to": "≠",
    "less_than": "<",
    "less_than_or_equal_to": "≤",
    "greater_than": ">",
    "greater_than_or_equal_to": "≥",
    "compulsory_pair": "cùng có hoặc cùng trống",
    "exclusive_pair": "không được cùng có",
}
MISSING_LABELS: dict[str, str] = {
    "skip_if_any_missing": "Bỏ qua nếu thiếu bất kỳ số liệu nào",
    "skip_if_all_missing": "Bỏ qua nếu một vế trống toàn bộ; ô trống khác tính là 0",
    "never_skip": "Luôn kiểm tra; ô trống tính là 0",
}
SEVERITY_LABELS: dict[str, str] = {"error": "Lỗi", "warning": "Cảnh báo"}
DIRECTION_LABELS: dict[bool | None, str] = {True: "Tăng là tốt", False: "Giảm là tốt", None: _NONE}

Cells = Mapping[str, tuple[str, str]]


def render_dictionary(catalogue: Catalogue, layout: pd.DataFrame | None = None) -> str:
    """Markdown data dictionary: one section per area, then the validation rules.

    ``layout`` (columns ``indicator``, ``sheet``, ``cell``) adds where each indicator is typed.
    """
    cells = _layout_cells(layout) if layout is not None else None
    sections = [_introduction(catalogue), _units_section(catalogue)]
    if catalogue.versions:
        sections += [_versions_section(catalogue), _concepts_section(catalogue), _lists_section(catalogue)]
    sections += [_area_section(catalogue, area, cells) for area in catalogue.areas]
    sections.append(_rules_section(catalogue.rules))
    return "\n\n".join(sections) + "\n"


def _layout_cells(layout: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """indicator code → (sheet, cell); several cells for one code are joined with commas."""
    missing = [column for column in _LAYOUT_COLUMNS if column not in layout.columns]
    if missing:
        raise ValueError(f"Bảng bố cục biểu mẫu thiếu cột: {', '.join(missing)}")
    grouped: dict[str, tuple[list[str], list[str]]] = {}
    for code, sheet, cell in layout.loc[:, list(_LAYOUT_COLUMNS)].itertuples(index=False):
        sheets, cell_list = grouped.setdefault(str(code), ([], []))
        if str(sheet) not in sheets:
            sheets.append(str(sheet))
        cell_list.append(str(cell))
    return {code: (", ".join(sheets), ", ".join(found)) for code, (sheets, found) in grouped.items()}


def _scope(catalogue: Catalogue) -> str:
    """What the page covers: one form version, or the whole catalogue of every version."""
    if catalogue.whole is not None:
        version = catalogue.versions.get(catalogue.version)
        return f"Biểu mẫu phiên bản {_escape(version.code)} ({_escape(version.title)})"
    if catalogue.versions:
        return f"Danh mục chỉ tiêu của mọi phiên bản biểu mẫu ({len(catalogue.versions.items)} phiên bản)"
    return f"Danh mục chỉ tiêu phiên bản {_escape(catalogue.version)}"


def _introduction(catalogue: Catalogue) -> str:
    inputs = len(catalogue.input_indicators())
    derived = len(catalogue.indicators) - inputs
    return "\n\n".join(
        [
            "# Từ điển dữ liệu",
            f"{_scope(catalogue)}: {len(catalogue.indicators)} chỉ tiêu "
            f"({inputs} chỉ tiêu đơn vị nhập, {derived} chỉ tiêu tự tính) thuộc {len(catalogue.areas)} lĩnh vực "
            f"và {len(catalogue.rules)} quy tắc kiểm tra. Trang này được sinh tự động từ danh mục chỉ tiêu; "
            "không sửa tay.",
            "Chỉ tiêu in đậm là chỉ tiêu chính của báo cáo toàn tỉnh. Chỉ tiêu tỷ lệ do hệ thống tự tính từ "
            "tổng các chỉ tiêu thành phần của mọi đơn vị, đơn vị báo cáo không nhập.",
        ]
    )


BASIS_LABELS = {"official": "văn bản chính thức", "secondary": "nguồn thứ cấp", "unverified": "chưa kiểm chứng"}
CONCEPT_STATUS_WORDS = {"new": "mới", "changed": "**thay đổi định nghĩa**", "ended": "thôi", "absent": _NONE}


def _versions_section(catalogue: Catalogue) -> str:
    """The form versions: legal basis, quarters governed, and each form's code and where its layout comes from."""
    items = catalogue.versions.items
    rows = []
    for i, version in enumerate(items):
        basis = version.basis
        until = f"đến {items[i + 1].first_quarter.previous().vn}" if i + 1 < len(items) else "đến nay"
        since = "các quý trước đó và " if i == 0 else ""
        current = " (trang này)" if catalogue.whole is not None and catalogue.version == version.code else ""
        rows.append([
            f"`{version.code}`{current}",
            _escape(basis.document),
            f"{basis.signed:%d/%m/%Y}",
            f"{basis.in_force:%d/%m/%Y}",
            f"{since}từ {version.first_quarter.vn} {until}",
            _escape(f"{BASIS_LABELS[basis.status]}: {basis.source}"),
        ])  # fmt: skip
    header = ["Phiên bản", "Căn cứ", "Ngày ký", "Ngày hiệu lực", "Áp dụng cho", "Nguồn ngày tháng"]
    rule = (
        "Quý của tệp quyết định phiên bản: một phiên bản áp dụng từ quý báo cáo có khoảng chốt số liệu (ngày 15 tháng "
        "trước tháng cuối quý đến ngày 14 tháng cuối quý) chứa ngày văn bản có hiệu lực, cho cả quý đó."
    )
    forms = [
        [f"`{version.code}`", _escape(form.code), _escape(form.title), str(form.width or _NONE), _escape(form.source),
         "Có" if form.checked else "Chưa"]
        for version in items
        for form in version.forms
    ]  # fmt: skip
    forms_header = ["Phiên bản", "Biểu", "Tên biểu", "Số cột đánh số", "Nguồn bố cục", "Đã đối chiếu văn bản gốc"]
    return "\n\n".join(
        ["## Phiên bản biểu mẫu", rule, _table(header, rows), "### Các biểu của từng phiên bản",
         _table(forms_header, forms)]
    )  # fmt: skip


def _concepts_section(catalogue: Catalogue) -> str:
    """Each concept across the versions: its form and column, or new / changed / ended."""
    table = concept_table(catalogue)
    whole = catalogue.whole or catalogue
    versions = [v.code for v in whole.versions.items]
    rows, reasons = [], {}
    for code, group in table.groupby("concept", sort=False):
        cells = []
        for line in group.itertuples(index=False):
            where = f"{line.form} cột {line.column}" if line.column else line.form
            word = CONCEPT_STATUS_WORDS.get(line.status)
            cells.append(_escape(where if word is None else (f"{where} ({word})" if where else word)))
            if line.reason:
                reasons.setdefault(line.reason, []).append(f"`{code}` ({line.version})")
        rows.append([f"`{code}`", _escape(whole.indicator(code).short_name), *cells])
    intro = (
        "Mỗi chỉ tiêu là một khái niệm giữ nguyên mã khi định nghĩa không đổi, dù nằm ở cột nào của biểu nào. Số "
        "liệu chỉ được so sánh, cộng dồn và xét bất thường qua các quý cùng một định nghĩa; qua một thay đổi định "
        "nghĩa, báo cáo ghi “không so sánh được do thay đổi biểu mẫu”."
    )
    notes = [f"- {', '.join(codes)}: {_escape(reason)}" for reason, codes in reasons.items()]
    parts = ["## Chỉ tiêu qua các phiên bản", intro, _table(["Mã", "Chỉ tiêu", *versions], rows)]
    return "\n\n".join(parts + (["Lý do thay đổi:", "\n".join(notes)] if notes else []))


def _lists_section(catalogue: Catalogue) -> str:
    """The list forms (02/PCTN, 03/PCTN): their versions, fields and where the fields come from."""
    whole = catalogue.whole or catalogue
    shown = {v.code for v in whole.versions.items} if catalogue.whole is None else {catalogue.version}
    forms = [f for f in load_lists().items if shown & set(f.versions)]
    if not forms:
        return "## Biểu danh sách\n\nCác biểu của phiên bản này không có biểu danh sách."
    intro = (
        "Biểu danh sách ghi từng vụ việc, từng văn bản, không phải số liệu: được đọc vào bảng `lists` (đơn vị, kỳ, "
        "biểu, mục, trường, nội dung, ô) và chỉ hiển thị ở trang nội bộ dành cho chuyên viên "
        "(`reports/noi-bo/`), không đưa vào báo cáo gửi lãnh đạo trừ khi `province.yaml` đặt `share_lists: true`."
    )
    rows = [
        [f"`{f.code}`", _escape(f.title), ", ".join(f.versions), "; ".join(_escape(x.name) for x in f.fields),
         f"{_escape(f.source)} ({f.status})"]
        for f in forms
    ]  # fmt: skip
    header = ["Biểu", "Tên biểu", "Phiên bản", "Các cột", "Nguồn"]
    return "\n\n".join(["## Biểu danh sách", intro, _table(header, rows)])


def _units_section(catalogue: Catalogue) -> str:
    rows = [
        [unit.code, "Có" if unit.integer else "Không", _caps_words(unit.caps)] for unit in catalogue.units_of_measure
    ]
    header = ["Đơn vị tính", "Chỉ nhận số nguyên", "Mức tối đa một đơn vị báo cáo trong một quý"]
    note = (
        "Số vượt mức tối đa (thường do gõ thừa chữ số) hoặc số âm không thể có: bị loại khỏi mọi số tổng hợp, so "
        "sánh, nội dung báo cáo và tệp xuất, và được liệt kê là lỗi cùng tệp, ô. Một số chỉ tiêu có mức riêng."
    )
    return "\n\n".join(["## Đơn vị tính", _table(header, rows), note])


def _caps_words(caps: Iterable[tuple[str, float]]) -> str:
    """ "cấp xã: 1.000.000; cấp huyện: 1.000.000; các đơn vị khác: 10.000.000" ("—" when none)."""
    found = dict(caps)
    order = [kind for kind in UNIT_TYPES if kind in found] + (["default"] if "default" in found else [])
    words = {kind: labels.label("unit_type", kind).lower() for kind in UNIT_TYPES} | {"default": "các đơn vị khác"}
    return "; ".join(f"{words[kind]}: {vnformat.number(found[kind])}" for kind in order) or "—"


def _area_section(catalogue: Catalogue, area: Area, cells: Cells | None) -> str:
    indicators = catalogue.indicators_in(area.code)
    header = ["STT", "Mã", "Chỉ tiêu", "Đơn vị tính", "Cách tổng hợp", "Chiều tốt"]
    if cells is not None:
        header += ["Trang tính", "Ô nhập"]
    rows = [_indicator_row(item, cells) for item in indicators]
    parts = [
        f"## {_escape(area.form)} — {_escape(area.title)}",
        f"Mã lĩnh vực `{area.code}`, trang tính `{area.sheet}`; {len(indicators)} chỉ tiêu.",
        _table(header, rows),
    ]
    notes = _notes(indicators)
    if notes:
        parts.append(notes)
    return "\n\n".join(parts)


def _indicator_row(item: Indicator, cells: Cells | None) -> list[str]:
    name = f"**{_escape(item.name)}**" if item.key else _escape(item.name)
    row = [
        _escape(item.number),
        f"`{item.code}`",
        name,
        _escape(item.unit),
        _aggregation(item),
        DIRECTION_LABELS[item.higher_is_better],
    ]
    if cells is not None:
        sheet, cell = cells.get(item.code, (_NONE, _NONE))
        row += [_escape(sheet), _escape(cell)]
    return row


def _aggregation(item: Indicator) -> str:
    """ "Cộng" for sums; "Tỷ lệ = A/B × 100" for ratios."""
    if item.aggregation != "ratio":
        return "Cộng"
    text = f"Tỷ lệ = {item.numerator}/{item.denominator}"
    if item.scale != 1:
        text += f" × {item.scale:g}"
    return text


def _notes(indicators: Iterable[Indicator]) -> str:
    """Bulleted descriptions and other labels, for indicators that have any."""
    lines = []
    for item in indicators:
        text = item.description
        if item.aliases:
            aliases = ", ".join(f"“{alias}”" for alias in item.aliases)
            text = f"{text} Tên khác: {aliases}.".strip()
        if text:
            lines.append(f"- `{item.code}`: {text}")
    return "\n".join(["Ghi chú:", "", *lines]) if lines else ""


def _rules_section(rules: Sequence[Rule]) -> str:
    header = ["Mã", "Nội dung", "Vế trái", "Phép so sánh", "Vế phải", "Khi thiếu số liệu", "Mức độ"]
    rows = [_rule_row(rule) for rule in rules]
    explanation = (
        "Mỗi quy tắc so sánh vế trái với vế phải trên số liệu của từng báo cáo. Quy tắc mức “Lỗi” phải được "
        "sửa trước khi tổng hợp; mức “Cảnh báo” cần đơn vị kiểm tra lại."
    )
    return "\n\n".join(["## Quy tắc kiểm tra", explanation, _table(header, rows)])


def _rule_row(rule: Rule) -> list[str]:
    if rule.operator in PAIR_OPERATORS:
        missing = "Không áp dụng (chỉ xét có hay không có số liệu)"
    else:
        missing = MISSING_LABELS.get(rule.missing, rule.missing)
    return [
        f"`{rule.code}`",
        _escape(rule.name),
        _escape(str(parse_expression(rule.left))),
        OPERATOR_LABELS.get(rule.operator, rule.operator),
        _escape(str(parse_expression(rule.right))),
        missing,
        SEVERITY_LABELS.get(rule.severity, rule.severity),
    ]


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _escape(text: str) -> str:
    """Make text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")
