"""Writing a postmortem :class:`~alerting.postmortem.document.Document` as Markdown or HTML.

Markdown refers to each chart by a file name the caller writes beside it
(:func:`chart_file`); HTML embeds the PNGs as ``data:`` URIs, so the page is one
self-contained file (no script, no external resource). Every text is escaped for its format.
"""

from __future__ import annotations

import base64
from html import escape

from alerting.postmortem.document import Block, Document, Figure, Link, Para, Table


def chart_file(stem: str, slug: str) -> str:
    """The file name of a chart written beside the Markdown file ``<stem>.md``."""
    return f"{stem}-{slug}.png"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_block(block: Block, stem: str) -> list[str]:
    if isinstance(block, Para):
        return [f"_{block.text}_" if block.emphasis else block.text, ""]
    if isinstance(block, Table):
        lines = [
            "| " + " | ".join(_cell(h) for h in block.head) + " |",
            "|" + " --- |" * len(block.head),
        ]
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
        return [*lines, ""]
    if isinstance(block, Figure):
        return [f"![{block.chart.caption}]({chart_file(stem, block.chart.slug)})", ""]
    return [f"[{block.text}]({block.href})", ""]


def to_markdown(doc: Document, stem: str) -> str:
    """The document as Markdown; charts are ``<stem>-<slug>.png`` beside it."""
    lines = [f"# {doc.title}", "", f"_{doc.byline}_", ""]
    for section in doc.sections:
        lines += ["#" * section.level + " " + section.title, ""]
        for block in section.blocks:
            lines += _md_block(block, stem)
    return "\n".join(lines).rstrip("\n") + "\n"


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;"
    "color:#1f2933;line-height:1.4}table{border-collapse:collapse;margin:.5rem 0 1rem}"
    "th,td{border:1px solid #cbd2d9;padding:.25rem .5rem;text-align:left;vertical-align:top;"
    "font-size:.9rem}th{background:#f0f4f8}figure{margin:0 0 1rem}figcaption{font-size:.85rem;"
    "color:#52606d}.human{color:#7b8794;font-style:italic;border:1px dashed #cbd2d9;"
    "padding:1rem}img{max-width:100%}"
)


def _html_block(block: Block) -> str:
    if isinstance(block, Para):
        return (
            f'<p class="human">{escape(block.text)}</p>'
            if block.emphasis
            else (f"<p>{escape(block.text)}</p>")
        )
    if isinstance(block, Table):
        head = "".join(f"<th>{escape(h)}</th>" for h in block.head)
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in block.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    if isinstance(block, Figure):
        data = base64.b64encode(block.chart.png).decode("ascii")
        alt = escape(block.chart.caption)
        return (
            f'<figure><img alt="{alt}" src="data:image/png;base64,{data}">'
            f"<figcaption>{alt}</figcaption></figure>"
        )
    assert isinstance(block, Link)
    return f'<p><a href="{escape(block.href)}">{escape(block.text)}</a></p>'


def to_html(doc: Document) -> str:
    """The document as one self-contained HTML page."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(doc.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(doc.title)}</h1>",
        f"<p><em>{escape(doc.byline)}</em></p>",
    ]
    for section in doc.sections:
        slug = "-".join(section.title.lower().split())
        parts.append(
            f'<h{section.level} id="{escape(slug)}">{escape(section.title)}</h{section.level}>'
        )
        parts += [_html_block(block) for block in section.blocks]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
