"""The synthetic demo province in `data/raw/demo/` (deterministic)."""
