"""Quarterly report analysis: catalogue, template, ingest of unit submissions."""

__version__ = "0.2.0"
