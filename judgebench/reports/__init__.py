"""Leaderboards, tables (Markdown, LaTeX, CSV), figures and the HTML report."""
