"""The draft paragraphs of the report, written from the comparisons with the wording in `narrative.yaml`."""
