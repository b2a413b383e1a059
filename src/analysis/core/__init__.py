"""Shared ground every stage stands on: Vietnamese text and numbers, periods, configuration, the unit registry,
atomic and injection-safe outputs."""
