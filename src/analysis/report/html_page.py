"""Code-free HTML pages from executed notebooks, with the report template (no script from the network).

One exporter per process: nbconvert compiles its Jinja templates per exporter (~0.6 s), and a report worker exports
a page per notebook it runs. The exporter skips nbconvert's BeautifulSoup pass over the finished page (a second
parse of up to several MB of inline images, ~0.5 s a page) and does its two jobs directly: every image already
has its alt text from the report template (PNG is the only image the report makes), and output areas are made
keyboard-focusable here.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import TagRemovePreprocessor
from nbformat import NotebookNode

from analysis.views import house

ANALYST_ONLY_TAG = "bo-khi-xuat-ban"  # cells for analysts in JupyterLab, left out of the published HTML
# an output area or input wrapper, whatever the order of its attributes (what nbconvert's pass made focusable)
_FOCUSABLE_DIV = re.compile(r'<div\b(?=[^>]*\bclass="[^"]*\b(?:jp-OutputArea-output|jp-Cell-inputWrapper)\b)([^>]*)>')


class ReportHTMLExporter(HTMLExporter):
    """nbconvert's lab HTML exporter without the BeautifulSoup post-pass (see the module docstring)."""

    def from_notebook_node(  # type: ignore[override]
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        # as HTMLExporter.from_notebook_node (nbconvert 7) up to its template rendering
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        data_types = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", data_types)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _FOCUSABLE_DIV.sub(r'<div\1 tabindex="0">', html), resources


@cache
def exporter() -> ReportHTMLExporter:
    """This process's exporter: inputs and prompts excluded, analyst-only cells removed, page in Vietnamese."""
    exp = ReportHTMLExporter(
        template_name="report",
        extra_template_basedirs=[str(resources.files("analysis.report") / "templates")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exp.language_code = "vi"
    exp.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={ANALYST_ONLY_TAG}, enabled=True), True)
    return exp


def to_html(nb: NotebookNode) -> str:
    """The page for an executed notebook (its ``title`` and ``index_href`` metadata are used by the template), with
    the house Content-Security-Policy."""
    body, _ = exporter().from_notebook_node(nb, resources={"csp_meta": house.csp_meta()})
    return body


__all__ = ["ANALYST_ONLY_TAG", "ReportHTMLExporter", "exporter", "to_html"]
