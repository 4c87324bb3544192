"""Hostile and broken inputs for cchc, built by code (see corpus.py)."""
