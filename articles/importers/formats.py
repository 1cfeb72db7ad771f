"""Which parser reads an input: by `--format`, else by file extension, else by a look at its first bytes."""

import re

from articles.importers import delimited, feeds, jsonlines, newsml, ninjs, plaintext
from articles.importers.encoding import utf8_head

PARSERS = {
    "text": plaintext,
    "ninjs": ninjs,
    "newsml": newsml,
    "feed": feeds,
    "jsonl": jsonlines,
    "csv": delimited,
}
EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".json": "ninjs",
    ".ninjs": "ninjs",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".rss": "feed",
    ".atom": "feed",
}
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b")
_NEWSML_ROOT = re.compile(rb"<(?:\w+:)?(?:newsItem|newsMessage)\b")
_JSON_OBJECT_LINE = re.compile(rb"^\s*\{.*\}\s*$")


def _sniff_xml(head):
    if _NEWSML_ROOT.search(head):
        return "newsml"
    if _FEED_ROOT.search(head):
        return "feed"
    return None


def detect_by_name(name):
    """The format an input's file extension says, or None (then its first bytes decide)."""
    base = name.lower().rsplit("/", 1)[-1]
    return EXTENSIONS.get(base[base.rfind(".") :]) if "." in base else None


def detect(name, head):
    """The format name for an input called `name` whose first bytes are `head`, or None if unknown."""
    lowered = name.lower()
    extension = lowered[lowered.rfind(".") :] if "." in lowered.rsplit("/", 1)[-1] else ""
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    head = utf8_head(head)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if extension == ".xml" or stripped.startswith(b"<"):
        return _sniff_xml(head)
    if stripped.startswith(b"["):
        return "ninjs"
    if stripped.startswith(b"{"):
        lines = stripped.splitlines()
        return "jsonl" if len(lines) > 1 and _JSON_OBJECT_LINE.match(lines[0]) else "ninjs"
    if extension in ("", ".md", ".story") and b"\x00" not in head:
        return "text"
    return None
