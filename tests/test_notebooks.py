"""The four report notebooks: how they are committed, and what they show when papermill runs them.

The fixture province is small enough to check by hand: three units (Thành phố Minh Sơn, Huyện An Bình, Công an
tỉnh) report 2020Q3, 2021Q2 and 2021Q3 with rule-consistent figures and a chosen TCD01 (tổng số lượt tiếp công
dân):

    quarter   tp_minh_son  an_binh  cong_an_tinh  province
    2020Q3        120        180        300          600
    2021Q2        100        150        250          500
    2021Q3        100        200        300          600   → tăng 20,0% so với quý II/2021, không thay đổi so với
                                                             cùng kỳ năm 2020; ranks: Công an tỉnh, An Bình, Minh Sơn

The units' registry for these runs is a three-unit `config/units.yaml` in a temporary folder (ANALYSIS_CONFIG, which
the kernels inherit), so "3/3 đơn vị" is the whole province. Each notebook runs once per module.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml
from bs4 import BeautifulSoup
from papermill.exceptions import PapermillExecutionError
from PIL import Image

from analysis.core.config import load_province_config, project_root
from analysis.core.periods import Quarter
from analysis.core.units import load_units
from analysis.ingest.run import run_ingest
from analysis.ingest.submission import IngestContext
from analysis.report.jobs import notebook_registry
from tests.small_province import NAMES, QUARTER, TCD01, UNITS, Province, write_province

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NOTEBOOK_FILES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
PER_UNIT = "04-ho-so-don-vi.ipynb"
KERNEL = "python3"


HAS_REPO_DATA = (project_root() / "data" / "processed" / "values.parquet").exists()


# ----------------------------------------------------------------------------------------------- fixture data


def write_small_province(root: Path, catalogue) -> Province:
    """The small province, ingested (with a check that TCD01 comes through as written)."""
    province = write_province(root, catalogue)
    registry = load_units(province.config / "units.yaml")
    settings = load_province_config(province.config / "province.yaml")
    result = run_ingest(province.raw, province.processed, IngestContext.load(catalogue, registry, settings))
    values = result.tables["values"]
    tcd = values[values["indicator"] == "TCD01"].set_index(["period", "unit_code"])["value"]
    for label, totals in TCD01.items():
        assert [tcd[(label, code)] for code in UNITS] == list(totals)
    assert result.tables["issues"].empty
    return province


@pytest.fixture(scope="module")
def small_province(tmp_path_factory, catalogue) -> Province:
    return write_small_province(tmp_path_factory.mktemp("tinh-nho"), catalogue)


def execute(province: Province, notebook: str, out: Path, **parameters) -> nbformat.NotebookNode:
    """papermill as the report runs it, with the small province's unit registry in the kernel's environment."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANALYSIS_CONFIG", str(province.config))
        mp.delenv("ANALYSIS_ROOT", raising=False)
        return papermill.execute_notebook(
            str(NOTEBOOKS / notebook),
            str(out),
            parameters=parameters,
            kernel_name=KERNEL,
            cwd=str(NOTEBOOKS),
            progress_bar=False,
        )


@dataclass(frozen=True)
class Runs:
    notebooks: dict[str, nbformat.NotebookNode]
    figures: Path


@pytest.fixture(scope="module")
def runs(small_province, tmp_path_factory) -> Runs:
    """Every notebook executed once on the small province for 2021Q3 (the unit profile for an_binh)."""
    out = tmp_path_factory.mktemp("chay")
    figures = out / "figures"
    figures.mkdir()
    executed = {}
    for name in NOTEBOOK_FILES:
        extra = {"unit": "an_binh"} if name == PER_UNIT else {}
        executed[name] = execute(
            small_province,
            name,
            out / name,
            quarter=QUARTER,
            processed_dir=str(small_province.processed),
            figures_dir=str(figures),
            **extra,
        )
    return Runs(executed, figures)


# ---------------------------------------------------------------------------------------------------- helpers


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def code_cells(nb: nbformat.NotebookNode) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def output_texts(nb: nbformat.NotebookNode) -> list[str]:
    """What each output shows, in order: Markdown, HTML or plain text (one entry per output)."""
    texts = []
    for cell in code_cells(nb):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in ("text/markdown", "text/html", "text/plain"):
                if mime in data:
                    texts.append(data[mime])
                    break
            else:
                if "text" in output:
                    texts.append(output["text"])
    return texts


def shown(nb: nbformat.NotebookNode) -> str:
    return "\n".join(output_texts(nb))


def html_rows(table_html: str) -> list[list[str]]:
    """A house-style table as rows of cell texts, the header first."""
    soup = BeautifulSoup(table_html, "html.parser")
    return [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in soup.find_all("tr")]


def table_after(nb: nbformat.NotebookNode, heading: str) -> list[list[str]]:
    """The first HTML table shown after the Markdown output that starts with `heading`."""
    texts = output_texts(nb)
    start = next(i for i, t in enumerate(texts) if t.lstrip().startswith(heading))
    table = next(t for t in texts[start + 1 :] if "<table" in t)
    return html_rows(table)


def row_of(rows: list[list[str]], first: str) -> dict[str, str]:
    header = rows[0]
    row = next(r for r in rows[1:] if first in r)
    return dict(zip(header, row, strict=True))


# ---------------------------------------------------------------------------------------- committed notebooks


def test_notebook_folder_holds_the_registered_notebooks():
    assert sorted(spec.file for spec in notebook_registry()) == NOTEBOOK_FILES
    assert len(NOTEBOOK_FILES) == 4


@pytest.mark.parametrize("name", NOTEBOOK_FILES)
def test_exactly_one_parameters_cell_defining_the_parameters(name):
    cells = [c for c in read(name).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "papermill silently ignores parameters without exactly one cell tagged `parameters`"
    assert cells[0].cell_type == "code"
    tree = ast.parse(cells[0].source)
    assigned = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}
    expected = {"quarter", "processed_dir", "figures_dir"} | ({"unit"} if name == PER_UNIT else set())
    assert expected <= assigned
    # the defaults an analyst sees: a valid quarter, the project's processed data, no figure files
    values = {t.id: ast.literal_eval(node.value) for node in tree.body for t in node.targets}
    assert Quarter.parse(values["quarter"]).label == values["quarter"]
    assert values["processed_dir"] == "" and values["figures_dir"] == ""


@pytest.mark.parametrize("name", NOTEBOOK_FILES)
def test_committed_notebook_carries_no_outputs(name):
    nb = read(name)
    for cell in code_cells(nb):
        assert cell.outputs == [], cell.source
        assert cell.execution_count is None, cell.source
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata
    assert "papermill" not in nb.metadata


def _pre_commit_nbstripout_args() -> list[str]:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "nbstripout"]
    assert len(hooks) == 1
    return list(hooks[0].get("args", []))


def _nbstripout_verify(*args: str) -> subprocess.CompletedProcess:
    nbstripout = Path(sys.executable).with_name("nbstripout")
    return subprocess.run(
        [str(nbstripout), "--verify", *args, *(str(NOTEBOOKS / n) for n in NOTEBOOK_FILES)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_nbstripout_finds_no_outputs_or_run_metadata():
    """Outputs, counts and the metadata keys the pre-commit hook strips are gone (cell ids aside, see below)."""
    result = _nbstripout_verify("--keep-id", *_pre_commit_nbstripout_args())
    assert result.returncode == 0, result.stdout + result.stderr


def test_nbstripout_verify_with_pre_commit_arguments_passes():
    result = _nbstripout_verify(*_pre_commit_nbstripout_args())
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", NOTEBOOK_FILES)
def test_no_function_or_class_definitions_in_notebooks(name):
    """Notebooks are lists of calls: logic lives in the package, where it is tested."""
    for cell in code_cells(read(name)):
        tree = ast.parse(cell.source)
        defined = [
            type(n).__name__
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
        ]
        assert not defined, f"{name}: {defined} in\n{cell.source}"


@pytest.mark.parametrize("name", NOTEBOOK_FILES)
def test_kernelspec_is_python3(name):
    assert read(name).metadata["kernelspec"]["name"] == KERNEL


# -------------------------------------------------------------------------------------- executed on fixtures


def test_runs_show_no_errors_or_warnings(runs):
    """Nothing on stderr and no error output: it would end up in the published page."""
    for name, nb in runs.notebooks.items():
        for cell in code_cells(nb):
            for output in cell.outputs:
                assert output.output_type in ("display_data", "execute_result"), (name, cell.source, output)


def test_quality_notebook_counts_reporting_units(runs):
    text = shown(runs.notebooks["01-chat-luong-du-lieu.ipynb"])
    assert "# Chất lượng số liệu quý III/2021" in text
    assert "3/3 đơn vị đã gửi báo cáo" in text
    assert "3 đơn vị đúng hạn, 0 đơn vị nộp muộn" in text
    assert "Kiểm tra 3 tệp số liệu phát hiện 0 lỗi và 0 cảnh báo" in text


def test_quality_notebook_says_unusual_figures_in_plain_words(runs):
    text = shown(runs.notebooks["01-chat-luong-du-lieu.ipynb"])
    assert "## Số liệu bất thường so với các quý trước" in text
    assert "khác hẳn các quý trước của chính đơn vị" in text  # the rule, said under the list
    assert "điểm z" not in text.lower() and "Trung vị" not in text


def test_province_overview_headline_and_table(runs):
    nb = runs.notebooks["02-tong-quan-tinh.ipynb"]
    text = shown(nb)
    headline = next(line for line in text.splitlines() if line.startswith("- Tổng số lượt tiếp công dân:"))
    assert "600 lượt" in headline
    assert "tăng 20,0% so với quý II/2021 (500)" in headline
    assert "không thay đổi so với cùng kỳ năm 2020 (600)" in headline
    row = row_of(table_after(nb, "## Kết quả tiếp công dân"), "Tổng số lượt tiếp công dân")
    assert row["Quý III/2021"] == "600"
    assert row["Quý II/2021"] == "500"
    assert row["So với quý II/2021"] == "tăng 20,0%"
    assert row["Quý III/2020"] == "600"
    assert row["So với cùng kỳ năm 2020"] == "không thay đổi"


def test_unit_comparison_ranks_units_by_tcd01_within_their_type(runs):
    nb = runs.notebooks["03-so-sanh-don-vi.ipynb"]
    texts = output_texts(nb)
    start = next(i for i, t in enumerate(texts) if t.lstrip().startswith("### Tổng số lượt tiếp công dân"))
    headings = [t.strip() for t in texts[start + 1 : start + 5] if t.lstrip().startswith("####")]
    assert headings == ["#### Cấp huyện (2 huyện)", "#### Cơ quan cấp tỉnh (1 cơ quan)"]
    rows = table_after(nb, "### Tổng số lượt tiếp công dân")
    assert rows[0][:3] == ["Xếp hạng", "Đơn vị", "Quý III/2021"]
    # the districts among themselves; the provincial police office (300) is not a district's peer
    assert [r[:3] for r in rows[1:]] == [["1", "Huyện An Bình", "200"], ["2", "Thành phố Minh Sơn", "100"]]
    agencies = html_rows(next(t for t in texts[start + 1 :] if "<table" in t and "Công an tỉnh" in t))
    assert [r[:3] for r in agencies[1:]] == [["1", "Công an tỉnh", "300"]]
    an_binh = row_of(rows, "Huyện An Bình")
    assert an_binh["So với quý II/2021"] == "tăng 33,3%"  # 150 → 200
    assert an_binh["So với cùng kỳ năm 2020"] == "tăng 11,1%"  # 180 → 200


def test_unit_profile_shows_the_unit_and_its_figures(runs):
    nb = runs.notebooks[PER_UNIT]
    text = shown(nb)
    assert "# Huyện An Bình — Quý III/2021" in text
    assert "Đã nộp đúng hạn" in text
    assert "Thành phố Minh Sơn" not in text and "Công an tỉnh" not in text
    row = row_of(table_after(nb, "## Kết quả tiếp công dân"), "Tổng số lượt tiếp công dân")
    assert (row["Quý III/2021"], row["Quý II/2021"], row["Quý III/2020"]) == ("200", "150", "180")
    ranks = row_of(table_after(nb, "## Vị trí so với các đơn vị khác"), "Tổng số lượt tiếp công dân")
    assert ranks["Xếp hạng"] == "1/2"  # 200 beside Minh Sơn's 100 (Công an tỉnh's 300 is ranked among agencies)


def test_figures_saved_as_200_dpi_png(runs):
    pngs = sorted(runs.figures.glob("*.png"))
    names = {p.name for p in pngs}
    for expected in (
        "2021q3-tinh-hinh-nop-bao-cao.png",  # 01
        "2021q3-tinh-tcd01-luot-tiep-cong-dan.png",  # 02: the code, then the name in plain letters
        "2021q3-don-vi-tcd01-luot-tiep-cong-dan.png",  # 03
        "2021q3-ban-do-nhiet-so-voi-quy-truoc.png",  # 03
        "2021q3-an-binh-dien-bien.png",  # 04
    ):
        assert expected in names
    for png in pngs:
        with Image.open(png) as image:
            assert image.format == "PNG"
            dpi = image.info["dpi"]
        assert dpi == pytest.approx((200, 200), abs=0.5), png.name
    outputs = [o.get("data", {}) for nb in runs.notebooks.values() for c in code_cells(nb) for o in c.outputs]
    shown_images = sum("image/png" in o for o in outputs)
    shown_svg = sum("<svg" in o.get("text/html", "") for o in outputs)  # a unit's trend panels (charts.svg_grid)
    assert shown_svg == 1
    assert shown_images + shown_svg == len(pngs)  # every figure shown is also saved, none twice under one name


@pytest.mark.parametrize("quarter", ["2021Q5", "2019Q1"])
def test_invalid_quarter_fails_listing_valid_quarters(small_province, tmp_path, quarter):
    with pytest.raises(PapermillExecutionError) as info:
        execute(
            small_province,
            "01-chat-luong-du-lieu.ipynb",
            tmp_path / "out.ipynb",
            quarter=quarter,
            processed_dir=str(small_province.processed),
        )
    assert info.value.ename == "ParameterError"
    assert "Kỳ báo cáo không hợp lệ" in info.value.evalue
    assert quarter in info.value.evalue
    assert "2020Q3, 2021Q2, 2021Q3" in info.value.evalue
    assert info.value.traceback == [f"Lỗi: {info.value.evalue}"]  # one line in JupyterLab too, no traceback


def test_papermill_command_line_says_a_wrong_quarter_in_one_line(small_province, tmp_path):
    env = {**os.environ, "ANALYSIS_CONFIG": str(small_province.config)}
    env.pop("ANALYSIS_ROOT", None)
    notebook, out = NOTEBOOKS / "01-chat-luong-du-lieu.ipynb", tmp_path / "out.ipynb"
    argv = [str(Path(sys.executable).with_name("papermill")), str(notebook), str(out), "--no-progress-bar"]
    params = ["-p", "quarter", "quý IV/2021", "-p", "processed_dir", str(small_province.processed)]
    done = subprocess.run([*argv, *params], capture_output=True, text=True, encoding="utf-8", timeout=300, env=env)
    assert done.returncode == 1
    said = [line for line in done.stderr.splitlines() if line.startswith("Lỗi")]
    assert said == [
        "Lỗi: Kỳ báo cáo không hợp lệ hoặc chưa có số liệu: 'quý IV/2021' (quý IV/2021). Các kỳ có số "
        "liệu: 2020Q3, 2021Q2, 2021Q3"
    ]
    assert "Traceback" not in done.stderr and "PapermillExecutionError" not in done.stderr


def test_a_quarter_written_in_words_runs_the_notebook(small_province, tmp_path):
    nb = execute(
        small_province,
        "01-chat-luong-du-lieu.ipynb",
        tmp_path / "out.ipynb",
        quarter="quý III/2021",
        processed_dir=str(small_province.processed),
    )
    shown = [o.get("data", {}).get("text/markdown", "") for c in code_cells(nb) for o in c.outputs]
    assert any(text.startswith("# Chất lượng số liệu quý III/2021") for text in shown)


def test_unknown_unit_fails_listing_valid_units(small_province, tmp_path):
    with pytest.raises(PapermillExecutionError) as info:
        execute(
            small_province,
            PER_UNIT,
            tmp_path / "out.ipynb",
            quarter=QUARTER,
            processed_dir=str(small_province.processed),
            unit="khong_co",
        )
    assert info.value.ename == "ParameterError"
    assert "khong_co" in info.value.evalue
    for code, name in NAMES.items():
        assert f"{code} ({name})" in info.value.evalue


@pytest.mark.skipif(not HAS_REPO_DATA, reason="no data/processed in the project (run `python -m analysis ingest`)")
@pytest.mark.parametrize("name", NOTEBOOK_FILES)
def test_analyst_run_from_repo_root_uses_project_data(name, tmp_path, monkeypatch):
    """As an analyst would: from the project folder, only the quarter given, the project's data/processed."""
    monkeypatch.delenv("ANALYSIS_CONFIG", raising=False)
    monkeypatch.delenv("ANALYSIS_ROOT", raising=False)
    nb = papermill.execute_notebook(
        str(NOTEBOOKS / name),
        str(tmp_path / name),
        parameters={"quarter": QUARTER},
        kernel_name=KERNEL,
        cwd=str(REPO),
        progress_bar=False,
    )
    text = shown(nb)
    assert "quý III/2021" in text or "Quý III/2021" in text
    assert not list(tmp_path.glob("*.png"))  # figures_dir left empty: nothing saved
