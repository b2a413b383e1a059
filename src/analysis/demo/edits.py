"""The edit kinds a scenario's messy cases name (`kind:` in the YAML), by name in `EDIT_KINDS`.

Each kind takes its parameters and changes one filing: its figures, path, dates or format now, its workbook
through an edit run when the file is written (`sheet_edits`). It returns the fields the case's description may
use: `{deleted}` (delete_row), `{total}` (total_off), `{typed[CODE]}` (type_cells), `{unit_line}` and
`{period_line}` (header_lines), `{title}` (title_block).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from analysis.catalogue.lists import load_lists
from analysis.catalogue.model import Catalogue
from analysis.core import vnformat
from analysis.core.config import ProvinceConfig
from analysis.core.periods import Quarter, period_dates
from analysis.demo import sheet_edits as se
from analysis.demo.spelling import unit_forms
from analysis.demo.workbook import Filing

Params = dict[str, Any]
Fields = dict[str, Any]


@dataclass
class PlanContext:
    """What edits need besides their filing; `added` collects the filings a case adds (other versions)."""

    catalogue: Catalogue
    province: ProvinceConfig
    province_name: str
    added: list[Filing] = field(default_factory=list)
    filings: list[Filing] = field(default_factory=list)  # every unit's filing (what a consolidated file gathers)

    def text(self, template: str, filing: Filing) -> str:
        """A scenario text template filled for the filing's unit and quarter."""
        q = filing.quarter
        forms = unit_forms(filing.unit, self.province_name)
        return template.format(quarter=q.label, quarter_number=q.quarter, year=q.year, **forms)


EditKind = Callable[[Filing, Params, PlanContext], Fields]
EDIT_KINDS: dict[str, EditKind] = {}


def edit_kind(name: str) -> Callable[[EditKind], EditKind]:
    def register(kind: EditKind) -> EditKind:
        EDIT_KINDS[name] = kind
        return kind

    return register


def apply_edits(filing: Filing, edits: list[Params], ctx: PlanContext) -> Fields:
    """Apply a case's edits to its filing in order; the fields they name, merged."""
    fields: Fields = {}
    for spec in edits:
        params = {k: v for k, v in spec.items() if k != "kind"}
        fields |= EDIT_KINDS[spec["kind"]](filing, params, ctx)
    return fields


# ------------------------------------------------------------------------------------------ rows and sheets


@edit_kind("insert_rows")
def _insert_rows(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    filing.edits.append(se.edit_insert_rows(ctx.catalogue, p["after"], p["rows"], p["label"]))
    return {}


@edit_kind("swap_rows")
def _swap_rows(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    first, second = p["rows"]
    filing.edits.append(se.edit_swap_rows(ctx.catalogue, first, second))
    return {}


@edit_kind("delete_row")
def _delete_row(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    filing.edits.append(se.edit_delete_row(ctx.catalogue, p["code"]))
    return {"deleted": p["code"]}


@edit_kind("shift_header")
def _shift_header(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    filing.edits.append(se.edit_shift_header(p["rows"], [ctx.text(line, filing) for line in p["lines"]]))
    return {}


@edit_kind("sheets")
def _sheets(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    edit = se.edit_sheets(ctx.catalogue, p.get("rename", {}), p.get("first"), p.get("hide", []), p.get("add", {}))
    filing.edits.append(edit)
    return {}


@edit_kind("merge_across")
def _merge_across(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    filing.edits.append(se.edit_merge_across(ctx.catalogue, p["code"]))
    return {}


@edit_kind("merge_down")
def _merge_down(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    filing.edits.append(se.edit_merge_down(ctx.catalogue, p["code"]))
    return {}


@edit_kind("header_lines")
def _header_lines(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    unit_line, period_line = ctx.text(p["unit_line"], filing), ctx.text(p["period_line"], filing)
    filing.edits.append(se.edit_header_lines(unit_line, period_line))
    return {"unit_line": unit_line, "period_line": period_line}


@edit_kind("title_block")
def _title_block(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    """The title block (cells such as A1, A2 of every area sheet) typed over, e.g. an old template's: a commune
    reusing its former district's file keeps "UBND HUYỆN …" above its own unit line."""
    cells = {ref: ctx.text(text, filing) for ref, text in p["cells"].items()}
    filing.edits.append(se.edit_title_block(cells))
    return {"title": " / ".join(cells.values())}


@edit_kind("outdated_forms")
def _outdated_forms(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    """The blank template of another quarter reused (its form codes, its rows) with this quarter's period."""
    filing.forms_quarter = Quarter.parse(str(p["quarter"]))
    return {"forms": ctx.catalogue.for_quarter(filing.forms_quarter).version}


# ------------------------------------------------------------------------------------------------ values


@edit_kind("make_decimal")
def _make_decimal(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    """A whole figure of a decimal indicator gets a half (so the file shows a decimal comma)."""
    value = filing.values[p["code"]]
    filing.values[p["code"]] = value + 0.5 if value % 1 == 0 else value
    return {}


@edit_kind("type_cells")
def _type_cells(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    """Text typed over value cells: "{value}" is the figure written the Vietnamese way ("1.170", "305,6"),
    "{percent}" a ratio's percentage ("38,2%")."""
    typed = {code: _typed(ctx.catalogue, filing, code, template) for code, template in p["cells"].items()}
    filing.edits.append(se.edit_cells(ctx.catalogue, typed))
    return {"typed": typed}


def _typed(catalogue: Catalogue, filing: Filing, code: str, template: object) -> object:
    if not isinstance(template, str):
        return template
    if code in filing.values:
        return template.format(value=vnformat.auto(filing.values[code]))
    return template.format(percent=vnformat.percent(catalogue.indicator(code).ratio(filing.values)))


@edit_kind("zero_forms")
def _zero_forms(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    """Zero written as the given cells (`-`, `không`, 0); a null cell is left blank (the figure is missing)."""
    for code, shown in p["cells"].items():
        if shown is None:
            filing.values.pop(code)
        else:
            filing.values[code] = 0.0
    filing.edits.append(se.edit_cells(ctx.catalogue, p["cells"]))
    return {}


@edit_kind("total_off")
def _total_off(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    """A total typed `by` more than the sum of its parts."""
    code = p["code"]
    filing.edits.append(se.edit_cells(ctx.catalogue, {code: int(filing.values[code]) + p["by"]}))
    return {"total": code}


@edit_kind("formulas")
def _formulas(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    filing.edits.append(se.edit_formulas(ctx.catalogue, p["totals"], p["cached"]))
    return {}


# ------------------------------------------------------------------------------ paths, dates and versions


@edit_kind("path")
def _path(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    filing.path = ctx.text(p["path"], filing)
    return {}


@edit_kind("format")
def _format(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    """Saved as .xlsm, or retyped by the unit as .xls or .ods (labels only, no code column)."""
    filing.fmt = p["fmt"]
    filing.path = str(PurePosixPath(filing.path).with_suffix(f".{p['fmt']}"))
    return {}


@edit_kind("signed")
def _signed(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    """Report date `days_after_end` the period's end, or `days_after_deadline` the deadline (late)."""
    end = period_dates(filing.quarter, ctx.province.cutoff)[1]
    if "days_after_deadline" in p:
        days = (ctx.province.deadline_days or 7) + p["days_after_deadline"]
    else:
        days = p["days_after_end"]
    filing.report_date = end + timedelta(days=days)
    return {}


@edit_kind("unsigned")
def _unsigned(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    filing.report_date = None
    return {}


@edit_kind("saved_at")
def _saved_at(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    filing.modified = p["at"]
    return {}


@edit_kind("also_sent")
def _also_sent(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    """Another version of the file, as the filing stands now: its figures times `scale`, at `path`, then its own
    `edits`, with its own `description`."""
    other = _another_file(
        filing, p, ctx, values={code: value * p.get("scale", 1) for code, value in filing.values.items()},
        edits=list(filing.edits), formulas=dict(filing.formulas),
    )  # fmt: skip
    fields = apply_edits(other, p.get("edits", []), ctx)
    other.description = p["description"].format(**fields)
    return {}


def _another_file(filing: Filing, p: Params, ctx: PlanContext, **changes: Any) -> Filing:
    """A further file the unit sends with `filing`, at `p["path"]`, with `changes`; added to the plan."""
    other = dataclasses.replace(filing, path=ctx.text(p["path"], filing), **changes)
    ctx.added.append(other)
    return other


@edit_kind("layout")
def _layout(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    """The unit fills the forms with numbered columns as the circular prints them (`template --layout official`)."""
    filing.layout = p["layout"]
    return {}


@edit_kind("consolidates")
def _consolidates(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    """The unit (the provincial inspectorate) also sends one consolidated file of the forms `areas` in the printed
    layout, a row per other unit filing that quarter, at `path`; `differ` adds figures to one unit's row (a row
    that disagrees with the unit's own file)."""
    differ = p.get("differ", {})
    rows = []
    for other in sorted(ctx.filings, key=lambda f: f.unit.code):
        if other.quarter != filing.quarter or other.unit.code == filing.unit.code or other.layout == "consolidated":
            continue
        values = dict(other.values)
        if other.unit.code == differ.get("unit"):
            values |= {code: values.get(code, 0) + add for code, add in differ["add"].items()}
        rows.append((other.unit, values))
    _another_file(
        filing, p, ctx, values={}, edits=[], formulas={}, layout="consolidated", rows=tuple(rows),
        areas=tuple(p["areas"]), description=p["description"],
    )  # fmt: skip
    return {}


@edit_kind("list_items")
def _list_items(filing: Filing, p: Params, ctx: PlanContext) -> Fields:
    """Items typed into a list form of the template (02/PCTN cases, 03/PCTN documents): `form`, `items`."""
    sheet = load_lists().get(str(p["form"])).sheet  # the template's sheet of that list form
    filing.edits.append(se.fill_list(sheet, [list(map(str, i)) for i in p["items"]]))
    return {"count": len(p["items"])}
