"""JSON Lines: one JSON object per line with the documented flat columns (see `fields.COLUMNS`).

The file is read line by line, so its size does not matter; a line that is not a JSON object, or has no
headline, is reported by its line number and the others are imported.
"""

import json

from articles.importers.encoding import text_stream
from articles.importers.fields import story_from_columns
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
                if not isinstance(row, dict):
                    yield EntryError(number, "not a JSON object")
                    continue
                try:
                    yield story_from_columns(row, entry=number)
                except BadInput as error:
                    yield EntryError(number, str(error))
        except UnicodeDecodeError as error:
            raise BadInput(f"undecodable bytes ({error.reason})") from None
