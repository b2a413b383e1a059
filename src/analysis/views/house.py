"""The house style shared by every output a person reads: fonts and colours of the HTML pages, the Excel tables and
the Word draft (charts keep their own palette in `views.charts`). Change a colour here and every output follows.

`css()` gives the rules every HTML page shares (fonts, headings, tables, links), as CSS variables plus rules; the
notebook pages and the index add only their own layout on top. `CONTENT_SECURITY_POLICY` is the policy every page
declares in a ``<meta http-equiv>`` tag (`csp_meta`).
"""

from __future__ import annotations

from functools import cache

FONT_TEXT = "Times New Roman"  # body text: pages, Excel, Word (Vietnamese administrative documents)
FONT_TEXT_FALLBACK = '"Times New Roman", "DejaVu Serif", serif'
FONT_FIGURES = '"DejaVu Sans", Arial, sans-serif'  # tables of figures on screen
TEXT = "1A1A1A"
MUTED = "555555"
HEADING = "0B3D66"
ACCENT = "0072B2"  # rule under the page title (Okabe–Ito blue, as the charts)
LINK = "0B5394"
HEADER_FILL = "DCE6F1"  # table header cells
BORDER = "9AA9B9"  # header cell borders, Excel grid
BORDER_LIGHT = "C9D3DD"  # body cell borders
PROVINCE_FILL = "F2F5F9"  # the province row beside the units' rows
STRIPE_FILL = "F6F8FA"  # every other row on screen
INCREASE = "0B3D66"  # direction only, never good or bad (that depends on the indicator)
DECREASE = "5B2C83"

# What a page may load or run. Pages are read offline from a shared folder and show text taken from units' files:
# - no script from anywhere (default-src 'none' covers script-src): nbconvert's lab template is used without its
#   script blocks (report/templates/report/index.html.j2), and a script tag that slipped into a page through a
#   unit's text would not run; the index's one script (its filter box) is allowed by its hash alone (`csp_meta`);
# - images only as data: URIs (every chart is an inline PNG; nothing is fetched, not even from the same folder);
# - styles only inline: the pages carry their CSS in <style> elements (nbconvert's lab CSS, the house CSS) and
#   nbconvert writes a few style attributes; 'unsafe-inline' for styles is safe enough here because nothing else can
#   be loaded or sent (no fonts, images from URLs, connections or forms), so injected CSS cannot leak anything;
# - no <base>, no form targets; frame-ancestors cannot be set in a meta tag (browsers ignore it there).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)


def csp_meta(*scripts: str) -> str:
    """The page's Content-Security-Policy as a meta tag (first in <head>, before any style or image); `scripts`: the
    exact texts of the page's own inline scripts, allowed by their SHA-256 (nothing else runs: not a script that
    slipped in through a unit's text, not the same script changed by a byte)."""
    policy = CONTENT_SECURITY_POLICY
    if scripts:
        import base64
        import hashlib

        hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
        policy += f"; script-src {hashes}"
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'


@cache
def css() -> str:
    """The shared CSS of every page (variables, then rules on plain elements and on `table.bang`)."""
    variables = {
        "text": TEXT,
        "muted": MUTED,
        "heading": HEADING,
        "accent": ACCENT,
        "link": LINK,
        "header-fill": HEADER_FILL,
        "border": BORDER,
        "border-light": BORDER_LIGHT,
        "stripe": STRIPE_FILL,
        "increase": INCREASE,
        "decrease": DECREASE,
    }
    root = "; ".join(f"--{name}: #{value}" for name, value in variables.items())
    return f""":root {{ {root}; --font-text: {FONT_TEXT_FALLBACK}; --font-figures: {FONT_FIGURES}; }}
a {{ color: var(--link); }}
.ghi-chu {{ color: var(--muted); font-size: 0.9em; font-style: italic; }}
"""
