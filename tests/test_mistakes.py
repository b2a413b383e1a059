"""Known mistakes in one Vietnamese line: IPython's rendering hook and papermill's command line."""

from __future__ import annotations

import sys

import pytest
from papermill.exceptions import PapermillExecutionError

from analysis.compare.report_data import ParameterError
from analysis.core import papermill_errors
from analysis.core.mistakes import UserMistake, brief, is_brief
from analysis.core.workspace import NotAWorkspace
from analysis.ingest.generation import InconsistentTables


def test_a_wrong_parameter_renders_as_one_line():
    error = ParameterError("Kỳ báo cáo không hợp lệ:\n  '2021Q9'")
    assert isinstance(error, UserMistake) and isinstance(error, ValueError)  # the CLI's "Lỗi: …" still catches it
    assert error._render_traceback_() == ["Lỗi: Kỳ báo cáo không hợp lệ: '2021Q9'"]


def test_a_folder_that_is_not_a_workspace_renders_as_one_line_saying_how_to_make_one(tmp_path):
    (line,) = NotAWorkspace(tmp_path)._render_traceback_()
    assert line == (
        f"Lỗi: Thư mục {tmp_path} không phải là thư mục làm việc (thiếu config/province.yaml hoặc config/units.yaml). "
        f"Tạo thư mục làm việc mới bằng: python -m analysis init {tmp_path}"
    )


def test_half_written_tables_render_as_one_line_saying_what_to_do(tmp_path):
    (line,) = InconsistentTables(tmp_path, "values của lần chạy khác")._render_traceback_()
    assert line.startswith(f"Lỗi: Dữ liệu đã xử lý trong thư mục {tmp_path} không nhất quán (values của lần chạy")
    assert line.endswith("dữ liệu được đọc lại tự động).")


def test_brief_is_recognised_only_as_a_single_line():
    line = brief(ParameterError("Không có đơn vị mã xyz"))
    assert is_brief([line])
    assert not is_brief([line, "more"]) and not is_brief([]) and not is_brief(["ValueError: x"])


def _cell_error(traceback: list[str]) -> PapermillExecutionError:
    return PapermillExecutionError(3, 3, "data = ReportData.load(quarter)", "ParameterError", "x", traceback)


def test_papermill_hook_prints_a_known_mistake_alone(capsys, monkeypatch):
    seen = []
    monkeypatch.setattr(papermill_errors, "_previous", lambda *exc: seen.append(exc))
    error = _cell_error(["Lỗi: Chưa có số liệu của kỳ nào"])
    papermill_errors.brief_excepthook(type(error), error, None)
    assert capsys.readouterr().err == "Lỗi: Chưa có số liệu của kỳ nào\n" and seen == []


@pytest.mark.parametrize(
    "error",
    [_cell_error(["---", "ParameterError  Traceback", "ParameterError: x"]), RuntimeError("kernel died")],
    ids=["a cell's full traceback", "another error"],
)
def test_papermill_hook_leaves_every_other_error_to_the_previous_hook(error, capsys, monkeypatch):
    seen = []
    monkeypatch.setattr(papermill_errors, "_previous", lambda *exc: seen.append(exc))
    papermill_errors.brief_excepthook(type(error), error, None)
    assert seen == [(type(error), error, None)] and capsys.readouterr().err == ""


def test_loading_the_engine_module_sets_the_hook():
    assert sys.excepthook is papermill_errors.brief_excepthook
