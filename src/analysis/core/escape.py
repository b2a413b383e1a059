"""Text from files made inert before it goes into a page: the one place that does it.

Anything a reporting unit controls — file and folder names, sheet names, notes, remarks, messages that quote a
cell — is escaped here before it is written into Markdown (notebook outputs, which nbconvert and JupyterLab render
with raw HTML passed through) or into HTML (tables, the index page). Our own words and figures need no escaping,
but escaping them is harmless.

- :func:`md` for Markdown text: HTML special characters become entities and every Markdown punctuation character
  (code spans, emphasis, links, table bars, headings, LaTeX dollars …) is backslash-escaped, line breaks and control
  characters become spaces, so the text renders as exactly the characters it holds, on one line.
- :func:`html` for HTML text and attribute values: ``& < > " '`` as entities, control characters dropped.
"""

from __future__ import annotations

import html as _html
import re

__all__ = ["html", "md", "one_line"]

# every line break Python or a browser knows, and the other control characters (Excel's _x000B_ and the like)
_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# ASCII punctuation with a meaning in CommonMark, GFM (tables, strikethrough, autolinks) or Jupyter's Markdown
# (``$`` starts LaTeX); ``&`` is handled as an HTML entity, ``<`` and ``>`` too
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|~^$:=\"'])")


def one_line(value: object) -> str:
    """`value` as text on one line: line breaks and tabs as spaces, other control characters removed."""
    text = "" if value is None else str(value)
    return _CONTROL.sub("", _BREAKS.sub(" ", text)).replace("\t", " ")


def md(value: object) -> str:
    """`value` as Markdown that shows exactly its characters (on one line), whatever they are."""
    return _MD_PUNCT.sub(r"\\\1", _html.escape(one_line(value), quote=False))


def html(value: object) -> str:
    """`value` as HTML text or a quoted attribute value; line breaks kept (HTML shows them as spaces)."""
    text = "" if value is None else str(value)
    return _html.escape(_CONTROL.sub("", text.replace("\x0b", " ").replace("\x0c", " ")), quote=True)
