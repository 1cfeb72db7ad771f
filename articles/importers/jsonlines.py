"""JSON Lines: one JSON object per line with the documented flat columns (see `fields.COLUMNS`), and the
story's public notes, which only JSON Lines (of the flat formats) can hold, as `export_articles` writes them:
`corrections`, a list of {"kind", "text", "created_at"}, and `live_updates`, a list of {"posted_at", "title",
"text"} (see `fields.corrections_of` and `fields.live_updates_of`; a live update's text is HTML when it holds
any markup, else plain text).

The file is read line by line, so its size does not matter; a line that is not a JSON object, nests its
values too deeply for Python's JSON reader (thousands of brackets), has no headline, or has a note that
cannot be read (its column and item number are named) is reported by its line number and the others are
imported.
"""

import json

from articles.importers.encoding import text_stream
from articles.importers.fields import corrections_of, live_updates_of, story_from_columns
from articles.importers.story import BadInput, EntryError


def parse(source, options):
    """Yield a Story (or an EntryError) per non-blank line."""
    with source.open() as binary:
        stream = text_stream(binary)
        try:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    yield EntryError(number, f"malformed JSON: {error.msg} (column {error.colno})")
                    continue
                except RecursionError:
                    yield EntryError(number, "malformed JSON: nested too deeply to read")
                    continue
                if not isinstance(row, dict):
                    yield EntryError(number, "not a JSON object")
                    continue
                try:
                    story = story_from_columns(row, entry=number)
                    story.corrections = corrections_of(row.get("corrections"))
                    story.live_updates = live_updates_of(row.get("live_updates"))
                    yield story
                except BadInput as error:
                    yield EntryError(number, str(error))
        except UnicodeDecodeError as error:
            raise BadInput(f"undecodable bytes ({error.reason})") from None
