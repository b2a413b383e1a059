"""What each command of `python -m analysis` does (its arguments: analysis.cli.parser)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core.config import project_root

if TYPE_CHECKING:
    import pandas as pd

MAX_LISTED_ERRORS = 20


def _default(path: str) -> Path:
    return project_root() / path


def cmd_template(args: argparse.Namespace) -> int:
    from analysis.catalogue.assignment import owed_areas
    from analysis.catalogue.load import load_catalogue
    from analysis.catalogue.official_template import write_official_template
    from analysis.catalogue.template import TemplateContext, write_template
    from analysis.core.config import load_province_config
    from analysis.core.periods import Quarter
    from analysis.core.units import load_units

    registry, province = load_units(), load_province_config()
    quarter = Quarter.parse(args.quarter)  # normalised by the parser (analysis.cli.parser.quarter_arg)
    unit = registry.get(args.unit)
    forms = load_catalogue().for_quarter(quarter)
    owed = owed_areas(forms, province, unit.code, unit.type)  # only the forms this unit owes
    context = TemplateContext(registry.province_name, unit, quarter, province.cutoff, owed)
    official = getattr(args, "layout", "one-column") == "official"
    suffix = "-ban-in" if official else ""
    out = args.out or Path(f"mau-bao-cao-{quarter.label}-{unit.code}{suffix}.xlsx")
    (write_official_template if official else write_template)(forms, context, out)
    kind = "theo bố cục in của thông tư" if official else ""
    print(f"Đã tạo mẫu biểu {kind + ' ' if kind else ''}cho {unit.name}, {quarter.vn}: {out}")
    return 0


def _forms(args: argparse.Namespace):
    """The catalogue of `--quarter`'s form version, or the whole catalogue (every concept of every version)."""
    from analysis.catalogue.load import load_catalogue
    from analysis.core.periods import Quarter

    catalogue = load_catalogue()
    return catalogue.for_quarter(Quarter.parse(args.quarter)) if args.quarter else catalogue


def cmd_indicators(args: argparse.Namespace) -> int:
    from analysis.catalogue.concepts import concept_table, version_columns
    from analysis.catalogue.template import template_layout

    catalogue = _forms(args)
    table = catalogue.to_frame()
    if catalogue.whole is not None:  # one version: its template's cells, its form columns
        version = catalogue.versions.get(catalogue.version)
        table = table.merge(
            template_layout(catalogue).drop(columns="row").rename(columns={"indicator": "code"}, errors="raise"),
            on=["code", "sheet"],
            how="left",
            validate="one_to_one",
        ).merge(
            version_columns(catalogue, version).drop(columns="version"), on="code", how="left", validate="one_to_one"
        )
        table.insert(table.columns.get_loc("form_code"), "version", version.code)  # ratios too
    elif catalogue.versions:  # every concept: the versions that carry it
        carried = concept_table(catalogue).query("status in ('first', 'same', 'new', 'changed')")
        versions = carried.groupby("concept", sort=False)["version"].agg(" ".join).rename("versions")
        table = table.merge(versions, left_on="code", right_index=True, how="left", validate="one_to_one")
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(table.to_string(index=False))
    return 0


def cmd_dictionary(args: argparse.Namespace) -> int:
    from analysis.catalogue.dictionary import render_dictionary
    from analysis.catalogue.template import template_layout
    from analysis.core.outputs import atomic_path

    catalogue = _forms(args)  # the cells of a template exist only for one version's forms
    text = render_dictionary(catalogue, template_layout(catalogue) if catalogue.whole is not None else None)
    if args.out is None:
        print(text)
        return 0
    with atomic_path(args.out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(f"Đã ghi từ điển dữ liệu: {args.out}")
    return 0


def _workers(requested: int | None, kind: str) -> int:
    """`--jobs` capped by cores and memory (analysis.core.workers), saying so on stderr when capped."""
    from analysis.core.workers import cap

    workers = cap(requested, kind)
    if workers.message:
        print(workers.message, file=sys.stderr)
    return workers.count


def _print_problems(tables: Mapping[str, pd.DataFrame], quarter: str | None = None) -> None:
    """Counts, every rejected file and the errors (file, unit, reason, what to do) of an ingest's tables."""
    from analysis.core.units import load_units
    from analysis.views.problems import console_lines

    submissions, issues = tables["submissions"], tables["issues"]
    for line in console_lines(submissions, issues, load_units(), quarter, MAX_LISTED_ERRORS):
        print(line)


def cmd_ingest(args: argparse.Namespace) -> int:
    from analysis.ingest.run import run_ingest

    raw = args.raw or _default("data/raw")
    out = args.out or _default("data/processed")
    result = run_ingest(raw, out, workers=_workers(args.jobs, "ingest"), force=args.full)
    run = result.run
    print(f"Tệp đọc mới: {run.parsed}, dùng lại kết quả lần trước: {run.reused}, đã bỏ khỏi thư mục: {run.removed}.")
    print(result.summary_vn())
    print(f"Kết quả ghi tại: {out}")
    _print_problems(result.tables)  # the tables the summary above read, not read again
    if args.strict and result.has_errors:
        print("Có lỗi cần sửa trong số liệu (chế độ --strict): mã thoát 1", file=sys.stderr)
        return 1
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from analysis.report.build import build_report

    processed = args.processed or _default("data/processed")
    result = build_report(
        args.quarter,
        out_root=args.out or _default("reports"),
        raw_dir=args.raw or _default("data/raw"),
        processed_dir=processed,
        workers=_workers(args.jobs, "report"),
        unit=args.unit,
        progress=not args.quiet,
    )
    if result.reingested:
        print("Đã đọc lại dữ liệu gốc (có tệp, cấu hình hoặc số liệu nhập tay mới).")
    ok = len(result.results) - len(result.failed)
    print(f"Đã lập {ok}/{len(result.results)} trang báo cáo: {result.folder / 'index.html'}")
    if result.internal is not None and result.internal.parent != result.folder:
        print(f"Trang danh sách nội bộ (không gửi kèm báo cáo): {result.internal}")
    from analysis.ingest.generation import read_tables

    _print_problems(read_tables(processed, ["submissions", "issues"]), result.folder.name)
    if result.outdated:
        print(f"Bản sao trong thư mục làm việc cũ hơn bản của chương trình ({len(result.outdated)}):")
    for copy in result.outdated:
        print(f"  - {copy.message}")
    for failure in result.failed:
        print(f"  - {failure.error}", file=sys.stderr)
    return 1 if result.failed else 0


def cmd_publish(args: argparse.Namespace) -> int:
    from analysis.report.publish import publish_quarter

    processed, day = args.processed or _default("data/processed"), args.date or date.today()
    record, n = publish_quarter(args.quarter, processed, _default("reports"), day, args.note, args.replace)
    print(f"Đã công bố {n} số liệu của các đơn vị ({record}); các so sánh sau này dùng số liệu này.")
    return 0


def cmd_narrative(args: argparse.Namespace) -> int:
    from analysis.compare.report_data import ReportData
    from analysis.narrative.build import build_narrative, render_text
    from analysis.narrative.scope import scope_sentences

    data = ReportData.load(args.quarter, args.processed or _default("data/processed"))
    for sentence in scope_sentences(data):  # who reported on each side; the reform's transition quarter
        print(sentence + "\n")
    print(render_text(build_narrative(data, exact=args.exact)))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from analysis import __version__
    from analysis.core import workspace

    if args.update_notebooks:
        root = workspace.use(args.folder)
        written = workspace.update_notebooks(root, __version__)
        print(f"Đã chép lại {len(written)} sổ tay của gói vào {root / 'notebooks'} (bản cũ có sửa đổi: notebooks/cu/).")
        return 0
    from analysis.ingest.manual_book import FILE, write_entries_book

    root = Path(args.folder).expanduser().resolve()
    written = [*workspace.create(root, __version__), write_entries_book(root / "data" / "manual" / FILE)]
    print(f"Đã tạo thư mục làm việc {root} ({len(written)} tệp). Tiếp theo:")
    print(f"  1. Sửa {root / 'config' / 'province.yaml'} và {root / 'config' / 'units.yaml'} cho tỉnh của mình.")
    print(f"  2. Chép các tệp báo cáo của đơn vị vào {root / 'data' / 'raw'} (xem README.txt trong đó).")
    print(f"  3. Lập báo cáo: python -m analysis --workspace {root} report --quarter 2026Q3")
    return 0


def cmd_import_crosswalk(args: argparse.Namespace) -> int:
    from analysis.core.config import config_dir, load_province_config
    from analysis.core.crosswalk import build_crosswalk, crosswalk_yaml, read_conversion
    from analysis.core.digest import file_sha256
    from analysis.core.outputs import atomic_path
    from analysis.core.units import load_units

    registry, province = load_units(), load_province_config()
    if province.reform is None:
        raise ValueError("province.yaml không có mục reform (quý chuyển tiếp): không biết xã mới báo cáo từ quý nào")
    crosswalk = build_crosswalk(read_conversion(args.file), registry, province.reform.transition_quarter)
    source = f"{args.file.name} (sha256 {file_sha256(args.file)})"
    out = args.out or config_dir() / "crosswalk.yaml"
    with atomic_path(out) as tmp:
        tmp.write_text(crosswalk_yaml(crosswalk, source, registry), encoding="utf-8")
    matched = crosswalk.rows[crosswalk.rows["unit"] != ""]
    print(f"Đã ghi {out}: {matched['unit'].nunique()} xã, phường, đặc khu với {len(matched)} xã cũ.")
    if crosswalk.agencies:
        merged = sum(len(former) for former in crosswalk.agencies.values())
        today = len(crosswalk.agencies)
        print(f"Cơ quan cấp tỉnh: {merged} cơ quan của tỉnh cũ hợp nhất vào {today} cơ quan hiện nay.")
    if crosswalk.approximate:
        names = ", ".join(f"{d} ({p})" for p, d, _ in crosswalk.approximate)
        print(f"Huyện cũ có xã bị chia tách hoặc nhập sang xã của huyện khác (số liệu là ước tính): {names}")
    for words, items in (
        ("Xã mới trong bảng nhưng không có trong units.yaml", crosswalk.not_in_registry),
        ("Xã trong units.yaml không có xã cũ nào trong bảng", crosswalk.without_predecessor),
        ("Cơ quan của tỉnh cũ không tìm thấy cơ quan hiện nay cùng tên", crosswalk.agencies_unmatched),
    ):
        if items:
            print(f"{words} ({len(items)}): {', '.join(items)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from analysis.demo.generator import SCENARIOS, generate_demo

    if args.province != "minh-son" and args.out is None:
        raise ValueError(f"Tỉnh mẫu {args.province} là một thư mục làm việc riêng: hãy ghi --out THƯ_MỤC")
    out = args.out or _default("data/raw/demo")
    files = generate_demo(out, SCENARIOS[args.province], args.scale)
    print(f"Đã tạo {len(files)} tệp dữ liệu mẫu (giả định) tại {out}")
    return 0
