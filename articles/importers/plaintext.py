"""Plain-text stories: an optional site/section header line, the headline, then paragraphs.

    Iraq News - Local News - Baghdadpost      <- header (optional): sections, then the site, joined by " - "

    Hundreds flee US-backed Syria battle     <- headline (optionally underlined with ----- or =====)

    US-backed forces pressed ...             <- paragraphs, separated by blank lines, or one per line

With `header_line="auto"` a first line counts as a header when it is made of short parts joined by " - "
(or "|", "»", en or em dashes), is followed by a blank line, and what follows it looks like a headline.
The last part of a header is the site's name and is dropped: "Iraq News - Local News - Baghdadpost" files
the story under Iraq News > Local News.
"""

import re

from articles.importers.encoding import decode
from articles.importers.fields import paragraphs_html
from articles.importers.story import BadInput, Story

HEADER_SEPARATOR = re.compile(r"\s+[-\u2013\u2014|\u00bb]\s+")
UNDERLINE = re.compile(r"^\s*[-=_*~\u2014]{3,}\s*$")
MAX_HEADLINE = 300


def _looks_like_header(line):
    parts = HEADER_SEPARATOR.split(line.strip())
    return (
        2 <= len(parts) <= 6
        and all(0 < len(p) <= 40 and len(p.split()) <= 5 for p in parts)
        and not line.rstrip().endswith((".", "!", "?", ":", '"', "\u201d"))
    )


def _looks_like_headline(line):
    return 0 < len(line) <= MAX_HEADLINE and not line.rstrip().endswith(".")


def header_sections(line):
    """The section path a header line names (the last part, the site's name, dropped)."""
    parts = [p.strip() for p in HEADER_SEPARATOR.split(line.strip()) if p.strip()]
    return tuple(parts[:-1]) if len(parts) > 1 else tuple(parts)


def parse_text(text, header_line="auto"):
    """A Story from the text of one plain-text file; BadInput with the reason if it has no story."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise BadInput("empty file")
    sections = ()
    has_header = header_line == "yes"
    if header_line == "auto" and len(lines) > 2 and not lines[1].strip() and _looks_like_header(lines[0]):
        rest = [line for line in lines[2:] if line.strip()]
        has_header = bool(rest) and _looks_like_headline(rest[0].strip()) and len(rest) > 1
    if has_header:
        sections = header_sections(lines.pop(0))
        while lines and not lines[0].strip():
            lines.pop(0)
    if not lines:
        raise BadInput("no headline (only a header line)")
    headline = lines.pop(0).strip()
    if len(headline) > MAX_HEADLINE:
        raise BadInput(f"no headline: the first line is a {len(headline)}-character paragraph")
    if lines and UNDERLINE.match(lines[0]):
        lines.pop(0)
    body = paragraphs_html("\n".join(lines))
    if not body:
        raise BadInput("no text after the headline")
    return Story(headline=" ".join(headline.split()), body=body, section=sections)


def parse(source, options):
    """Yield the one story of a plain-text input."""
    yield parse_text(decode(source.read()), header_line=options.header_line)
