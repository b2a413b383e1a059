"""What a page shows: display tables, charts in the house style, the figure cache, notebook helpers and report
sections (the notebooks are lists of these calls)."""
