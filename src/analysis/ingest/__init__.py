"""Raw submissions → tidy tables: preflight caps, isolated parsing of each workbook, extraction by code or label,
checks, supersession and completeness, the incremental record store."""
