"""Hypothesis strategies for importer inputs: broken, hostile and odd files in every format the importer reads.

Shared by the short fuzz test in the normal suite (test_import_fuzzing.py) and the long, time-bounded run of
`make reliability` (bench/reliability.py).
"""

import json

from hypothesis import strategies as st

# Text with what breaks parsers: NULs, lone surrogates are not encodable so they are left out, bidi marks,
# Arabic, markup and quotes.
_ALPHABET = st.characters(blacklist_categories=("Cs",))
text = st.text(_ALPHABET, max_size=200)
markup_bits = st.sampled_from(
    [
        "<",
        ">",
        "&",
        '"',
        "'",
        "<p>",
        "</p>",
        "<script>",
        "]]>",
        "<![CDATA[",
        "\x00",
        "\u202e",
        "سوريا",
        "\r\n",
        ",",
        "|",
    ]
)
noisy_text = st.lists(st.one_of(text, markup_bits), max_size=12).map("".join)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), noisy_text)
json_value = st.recursive(
    json_scalar, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=10
)
COLUMNS = ["headline", "body", "standfirst", "kicker", "section", "language", "published_at", "embargo_until",
           "regions", "actors", "authors", "byline", "credit", "source", "source_id", "source_url"]  # fmt: skip
row = st.dictionaries(st.sampled_from(COLUMNS), json_value, max_size=len(COLUMNS))


def _jsonl(rows_and_junk):
    return "\n".join(item if isinstance(item, str) else json.dumps(item) for item in rows_and_junk).encode("utf-8")


def _csv(rows):
    header = ",".join(COLUMNS)
    lines = [header] + [",".join(json.dumps(str(r.get(c, "")))[1:-1] for c in COLUMNS) for r in rows]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _feed(items):
    entries = "".join(f"<item><title>{t}</title><description>{d}</description></item>" for t, d in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{entries}</channel></rss>'.encode()


def _newsml(parts):
    headline, body = parts
    return (
        '<?xml version="1.0"?><newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:1">'
        f"<contentMeta><headline>{headline}</headline></contentMeta><contentSet><inlineXML>{body}</inlineXML>"
        "</contentSet></newsItem>"
    ).encode("utf-8", "surrogatepass")


# (format, file extension, bytes) for one input file.
hostile_file = st.one_of(
    st.tuples(st.just("jsonl"), st.just(".jsonl"), st.lists(st.one_of(row, noisy_text), max_size=5).map(_jsonl)),
    st.tuples(st.just("ninjs"), st.just(".json"), json_value.map(lambda v: json.dumps(v).encode())),
    st.tuples(st.just("ninjs"), st.just(".json"), row.map(lambda r: json.dumps(r).encode())),
    st.tuples(st.just("csv"), st.just(".csv"), st.lists(row, max_size=4).map(_csv)),
    st.tuples(st.just("feed"), st.just(".rss"), st.lists(st.tuples(noisy_text, noisy_text), max_size=3).map(_feed)),
    st.tuples(st.just("newsml"), st.just(".xml"), st.tuples(noisy_text, noisy_text).map(_newsml)),
    st.tuples(st.just("text"), st.just(".txt"), noisy_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    st.tuples(
        st.sampled_from(["jsonl", "ninjs", "csv", "feed", "newsml", "text"]), st.just(".bin"), st.binary(max_size=300)
    ),
)


def check_one_import(tmp_dir, case, n):
    """Import one hostile file; raise AssertionError unless every entry is accounted for and nothing crashed.

    Returns the report. "Accounted for": the run counted at least one story (imported, updated, unchanged,
    duplicate) or reported at least one failure, unless the file has no text at all.
    """
    from articles.importers.pipeline import ImportOptions, run_import

    fmt, extension, data = case
    path = tmp_dir / f"fuzz-{n}{extension}"
    path.write_bytes(data)
    report = run_import([str(path)], ImportOptions(format=fmt, batch_size=3, autotag=False))
    seen = report.imported + report.updated + report.unchanged + report.held + report.duplicates + report.failed
    if data.strip():
        assert seen >= 1, f"{fmt} input of {len(data)} bytes neither imported nor reported: {data[:200]!r}"
    for failure in report.failures:
        assert isinstance(failure, str) and failure.strip(), "a failure without a reason"
    path.unlink()
    return report
