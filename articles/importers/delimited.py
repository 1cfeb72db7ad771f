"""CSV (comma, semicolon or tab separated, header row) with the documented columns (see `fields.COLUMNS`).

Rows are read one at a time. List columns (regions, actors, authors) are separated by "|" (or commas or
semicolons when there is no "|"); `section` is a path like "Iraq News > Local News".
"""

import csv

from articles.importers.encoding import text_stream
from articles.importers.fields import story_from_columns
from articles.importers.story import BadInput, EntryError

# Bodies of long stories exceed the csv module's 128 KiB default.
csv.field_size_limit(16 * 1024 * 1024)


def parse(source, options):
    """Yield a Story (or an EntryError) per data row; rows are numbered as lines of the file (header = 1)."""
    with source.open() as binary:
        stream = text_stream(binary)
        try:
            first = stream.readline()
            if not first.strip():
                raise BadInput("empty file")
            delimiter = "\t" if source.name.lower().endswith(".tsv") else max(",;\t", key=first.count)
            header = next(csv.reader([first], delimiter=delimiter))
            columns = [name.strip().lower().lstrip("\ufeff") for name in header]
            if "headline" not in columns:
                raise BadInput(f"no headline column (columns: {', '.join(columns)[:80]})")
            reader = csv.reader(stream, delimiter=delimiter)
            for number, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) > len(columns):
                    yield EntryError(number, f"{len(row)} fields but {len(columns)} columns")
                    continue
                try:
                    yield story_from_columns(dict(zip(columns, row, strict=False)), entry=number)
                except BadInput as error:
                    yield EntryError(number, str(error))
        except csv.Error as error:
            raise BadInput(f"malformed CSV: {error}") from None
        except UnicodeDecodeError as error:
            raise BadInput(f"undecodable bytes ({error.reason})") from None
