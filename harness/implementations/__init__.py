"""Implementations under test: adapter files (what to run) and the runner (running it)."""
