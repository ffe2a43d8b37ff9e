"""Data tables shipped with crisis_sim (see SOURCES.md)."""
