from __future__ import annotations

import pandas as pd
import pytest

from analysis.catalogue.dictionary import render_dictionary
from analysis.catalogue.load import load_catalogue
from analysis.catalogue.model import Area, Catalogue, Indicator, UnitOfMeasure
from analysis.catalogue.rules import Rule


@pytest.fixture(scope="module")
def page() -> str:
    return render_dictionary(load_catalogue())


def _tiny() -> Catalogue:
    """A hand-made catalogue with a pipe in a name and a ratio."""
    return Catalogue(
        version="thử",
        areas=(Area("AA", "01-AA", "Lĩnh vực | thử", "Biểu số 01/AA"),),
        indicators=(
            Indicator("AA01", "AA", "1", "Tổng số đơn | tất cả", "Tổng", "đơn", None, "sum", key=True),
            Indicator(
                "AA02",
                "AA",
                "1.1",
                "Đơn đã xử lý",
                "Đã xử lý",
                "đơn",
                "AA01",
                "sum",
                higher_is_better=True,
                order=1,
            ),
            Indicator(
                "AA03",
                "AA",
                "2",
                "Tỷ lệ xử lý",
                "Tỷ lệ",
                "%",
                None,
                "ratio",
                numerator="AA02",
                denominator="AA01",
                scale=100,
                higher_is_better=True,
                order=2,
            ),
        ),
        rules=(
            Rule(
                "AA-R1",
                "Đã xử lý ≤ tổng",
                "AA02",
                "less_than_or_equal_to",
                "AA01",
                "skip_if_all_missing",
                "warning",
            ),
            Rule("AA-R2", "Cùng có", "AA01", "compulsory_pair", "AA02", "never_skip", "error"),
            Rule("AA-R3", "Không cùng có", "AA01", "exclusive_pair", "AA02", "never_skip", "error"),
        ),
        units_of_measure=(UnitOfMeasure("đơn", True), UnitOfMeasure("%", False)),
    )


def _table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def test_headings_are_vietnamese(page: str) -> None:
    assert page.startswith("# Từ điển dữ liệu\n")
    assert "\n## Quy tắc kiểm tra\n" in page
    assert "| STT | Mã | Chỉ tiêu | Đơn vị tính | Cách tổng hợp | Chiều tốt |" in page
    assert "Trang tính" not in page


def test_every_area_code_and_rule_appears(page: str) -> None:
    catalogue = load_catalogue()
    for area in catalogue.areas:
        assert f"## {area.form} — {area.title}" in page
    for item in catalogue.indicators:
        assert f"`{item.code}`" in page
        assert item.name in page
    for rule in catalogue.rules:
        assert f"`{rule.code}`" in page


def test_labels(page: str) -> None:
    assert "Tỷ lệ = GQ03/GQ01 × 100" in page
    assert "| Cộng |" in page
    assert "Giảm là tốt" in page and "Tăng là tốt" in page
    assert "| ≤ |" in page and "| ≥ |" in page and "| = |" in page
    assert "cùng có hoặc cùng trống" in page
    assert "Lỗi" in page and "Cảnh báo" in page
    assert "Bỏ qua nếu thiếu bất kỳ số liệu nào" in page
    assert "**Tổng số lượt tiếp công dân**" in page


def test_tables_have_consistent_columns(page: str) -> None:
    for block in page.split("\n\n"):
        lines = _table_lines(block)
        if lines:
            counts = {line.replace("\\|", "").count("|") for line in lines}
            assert len(counts) == 1, block[:80]


def test_pipes_are_escaped() -> None:
    text = render_dictionary(_tiny())
    assert "Tổng số đơn \\| tất cả" in text
    assert "Lĩnh vực \\| thử" in text
    row = next(line for line in _table_lines(text) if "`AA01`" in line)
    assert row.replace("\\|", "").count("|") == 7


def test_operators_missing_and_severity_in_vietnamese() -> None:
    text = render_dictionary(_tiny())
    rows = {line.split(" | ")[0]: line for line in _table_lines(text) if "-R" in line}
    assert "| ≤ |" in rows["| `AA-R1`"]
    assert "Bỏ qua nếu một vế trống toàn bộ" in rows["| `AA-R1`"]
    assert rows["| `AA-R1`"].endswith("| Cảnh báo |")
    assert "| cùng có hoặc cùng trống |" in rows["| `AA-R2`"]
    assert "| không được cùng có |" in rows["| `AA-R3`"]
    assert rows["| `AA-R3`"].endswith("| Lỗi |")


def test_layout_columns() -> None:
    layout = pd.DataFrame({"indicator": ["AA01", "AA02"], "sheet": ["01-AA", "01-AA"], "cell": ["D7", "D8"]})
    text = render_dictionary(_tiny(), layout)
    assert "| Trang tính | Ô nhập |" in text
    lines = _table_lines(text)
    assert next(line for line in lines if "`AA02`" in line).endswith("| 01-AA | D8 |")
    assert next(line for line in lines if "`AA03`" in line).endswith("| — | — |")


def test_layout_missing_columns() -> None:
    with pytest.raises(ValueError, match="cell"):
        render_dictionary(_tiny(), pd.DataFrame({"indicator": ["AA01"], "sheet": ["01-AA"]}))


def test_committed_dictionary_page_is_up_to_date(catalogue):
    """docs/tu-dien-du-lieu.md is generated: `python -m analysis dictionary --out docs/tu-dien-du-lieu.md` (every
    version, no template cells: those belong to one version's forms, `--quarter`)."""
    from analysis.core.config import project_root

    committed = (project_root() / "docs" / "tu-dien-du-lieu.md").read_text(encoding="utf-8")
    assert committed.rstrip("\n") == render_dictionary(catalogue).rstrip("\n")


def test_the_dictionary_shows_every_version_and_the_concept_table(catalogue):
    text = render_dictionary(catalogue)
    assert "## Phiên bản biểu mẫu" in text and "## Chỉ tiêu qua các phiên bản" in text
    for code in ("2021.1", "2024.1", "2025.1"):
        assert f"| `{code}` |" in text
    # eligible petitions: column 9 of the 2021 01/XLD, column 6 of the 2024 one; the 2025 02/XLD has no columns found
    assert "| `XLD05` | Đơn đủ điều kiện xử lý | 01/XLD cột 9 | 01/XLD cột 6 | 02/XLD |" in text
    assert "| `XLD20` | Đơn chưa xử lý | — | 01/XLD cột 5 (mới) | 02/XLD |" in text
    assert "| `VP01` |" in text and "01/VP | thôi | — |" in text
    assert "01/PCTN (**thay đổi định nghĩa**)" in text


def test_the_dictionary_of_one_quarter_shows_its_version_and_cells(catalogue):
    from analysis.catalogue.template import template_layout
    from analysis.core.periods import Quarter

    forms = catalogue.for_quarter(Quarter(2024, 2))
    text = render_dictionary(forms, template_layout(forms))
    assert "Biểu mẫu phiên bản 2024.1 (Biểu mẫu theo Thông tư số 01/2024/TT-TTCP)" in text
    assert "`2024.1` (trang này)" in text
    assert "`XLD20`" in text and "`VP01`" not in text.split("## Chỉ tiêu qua các phiên bản")[0]


def test_the_dictionary_lists_the_list_forms_of_the_versions_shown(catalogue):
    from analysis.core.periods import Quarter

    whole = render_dictionary(catalogue)
    assert "## Biểu danh sách" in whole and "`02/PCTN`" in whole and "`03/PCTN`" in whole
    assert "Tên vụ việc; Cơ quan, đơn vị xảy ra; Cơ quan thụ lý" in whole
    before = render_dictionary(catalogue.for_quarter(Quarter(2024, 2)))
    assert "Các biểu của phiên bản này không có biểu danh sách." in before and "`02/PCTN`" not in before
