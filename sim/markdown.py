"""Small Markdown helpers for every layer: link targets, table cells, a report's first paragraph.

Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


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


def records_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A Markdown table of ``rows`` (one mapping each) over ``columns``; numbers to 3 figures."""

    def cell(v: Any) -> str:
        if isinstance(v, bool) or v is None:
            return "" if v is None else str(v)
        if isinstance(v, float):
            return f"{v:.3g}"
        return table_cell(str(v))

    head = "| " + " | ".join(columns) + " |"
    rule = "|" + "---|" * len(columns)
    body = ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body])
