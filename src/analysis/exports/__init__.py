"""The files analysts paste from: the Excel tables and the Word draft."""
