"""Readers: the only modules that open spreadsheets (through python-calamine)."""
