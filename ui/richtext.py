"""Safe tooltips: Qt guesses whether a tooltip is rich text, so data always goes in escaped HTML."""
from __future__ import annotations

import html

from annotator.textsafe import visible


def tooltip(*lines: str, bold_first: bool = False) -> str:
    """Lines of plain text as a rich-text tooltip that shows them literally ('<b>' stays '<b>')."""
    escaped = [html.escape(visible(line, keep='\t')) for line in lines if line is not None]
    if bold_first and escaped:
        escaped[0] = f"<b>{escaped[0]}</b>"
    return "<p style='white-space: pre-wrap'>" + "<br>".join(escaped) + "</p>"
