"""The draft paragraphs of the report, written from the comparisons with the wording in `narrative.yaml`.

`schema` (what a template may name) → `templates` (the YAML, checked) → `facts` (the quarter's figures, one row per
indicator) → `wording` (how each figure is said; changes through `analysis.compare.change`) → `build` (paragraphs);
`approximate` says figures as reports do ("trên 7.000").
"""
