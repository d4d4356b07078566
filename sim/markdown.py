"""Small Markdown helpers for every layer: link targets, table cells, a report's first paragraph.

Standard library only.
"""

from __future__ import annotations

from pathlib import Path


def link_target(target: str) -> str:
    """A Markdown link target, in angle brackets when it holds spaces or brackets."""
    return f"<{target}>" if any(ch in target for ch in " ()<>") else target


def table_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def first_paragraph(report: Path) -> str:
    """The first paragraph after the title of a ``report.md``: where a report answers its question.

    Empty when the file is missing or has no paragraph.
    """
    if not report.is_file():
        return ""
    paragraphs = report.read_text(encoding="utf-8").split("\n\n")
    body = [p.strip() for p in paragraphs if p.strip() and not p.lstrip().startswith("#")]
    return " ".join(body[0].split()) if body else ""
