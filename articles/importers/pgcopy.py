"""New imported articles written with PostgreSQL's binary COPY instead of Django's bulk_create.

`bulk_create` of 500 stories builds one 15,000-parameter INSERT in Python and PostgreSQL then runs
`to_tsvector` over every story's folded text; together about 0.5 ms of the import process and 0.4 ms of
PostgreSQL per story. Here the worker processes encode each story's row (`story_row`) and its search
document (`search_vector`) in COPY's binary format, so the writer only adds the columns it decides itself
(id, section, times, picture) and streams the bytes. The rows are the ones `bulk_create` would write (the
model's defaults, the same search document): `test_import_copy.py` compares them field by field.

The search document is a tsvector built here the way `SearchDocument.as_postgresql` builds it in SQL
(`setweight(to_tsvector('simple', words), 'A') || ... 'B' || ... 'C'`): each word of `search_words` one
lexeme, numbered from 1 across the three parts. That equality holds for words PostgreSQL's parser also
reads as one word each (Latin letters and digits, Arabic script) and below its limits (16,383 positions,
255 positions a lexeme, 2,047 bytes a word); a story outside them gets `None`, and the writer lets
PostgreSQL compute its document as before. Whether the database's locale reads Arabic letters as letters is
checked once per batch, in the query that reserves the ids (`reserve_ids`).

`stored_rows` is the writer's per-batch lookup of the keys already stored, written so that PostgreSQL looks
each key up in the unique (source, source id) index whatever its statistics say.
"""

import re
import struct
from collections import defaultdict
from contextlib import nullcontext
from datetime import UTC, datetime
from itertools import chain

from django.db import connection
from django.db.backends.utils import CursorDebugWrapper
from django.utils import timezone

from articles.models import Article, ArticleActor, ArticleRegion, Byline
from articles.models.fields import tag_lexemes

# Columns the writer fills per batch; every other column of the article comes from `story_row`.
WRITER_COLUMNS = (
    "id",
    "section_id",
    "created_at",
    "updated_at",
    "lead_image_id",
    "lead_image_caption",
    "dateline_place_id",
)
_SEARCH_COLUMN = "search_document"
_STORY_FIELDS = [
    f for f in Article._meta.concrete_fields if f.attname not in WRITER_COLUMNS and f.attname != _SEARCH_COLUMN
]
# `search_tags` is PostgreSQL's own column (migration 0010; no model field): the story's tag links as lexemes,
# written here with the article so that the links' trigger finds nothing to change.
COLUMNS = (*WRITER_COLUMNS, *(f.column for f in _STORY_FIELDS), _SEARCH_COLUMN, "search_tags")

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_TRAILER = struct.pack(">h", -1)
_NULL = struct.pack(">i", -1)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_INT8 = struct.Struct(">iq")
_INT4 = struct.Struct(">ii")
_LENGTH = struct.Struct(">i")


def _text(value):
    data = value.encode("utf-8")
    return _LENGTH.pack(len(data)) + data


def _timestamp(value):
    if value is None:
        return _NULL
    if timezone.is_naive(value):  # as DateTimeField takes one (it also warns): in the current time zone
        value = timezone.make_aware(value)
    delta = value - _EPOCH
    return _INT8.pack(8, (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds)


def _int8(value):
    return _NULL if value is None else _INT8.pack(8, value)


def _int4(value):
    return _NULL if value is None else _INT4.pack(4, value)


def _encoder(field):
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField", "SlugField", "URLField"):
        return lambda value: _NULL if value is None else _text(value)
    if kind == "DateTimeField":
        return _timestamp
    if kind in ("IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField"):
        return _int4
    if kind in ("ForeignKey", "OneToOneField"):
        target = field.target_field.get_internal_type()
        return _int8 if target in ("BigAutoField", "BigIntegerField") else _int4
    if kind in ("BigAutoField", "BigIntegerField"):
        return _int8

    def only_null(value):  # e.g. the translation group: never set by an import
        if value is not None:
            raise TypeError(f"{field.name}: no COPY encoding for {kind}")
        return _NULL

    return only_null


_ENCODERS = [(f.attname, f.get_default(), _encoder(f)) for f in _STORY_FIELDS]


def story_row(values):
    """The binary COPY fields of a new article from `values` (the pipeline's article values; the model's
    default for every column not given), without the writer's columns and the search document."""
    return b"".join(encode(values.get(name, default)) for name, default, encode in _ENCODERS)


# --- the search document ---------------------------------------------------------------------------------

# Words PostgreSQL's default parser reads exactly as `search_words` cuts them: lower-case Latin letters and
# digits (no "_", which the parser takes for a space), and Arabic-script letters (which `search_words`
# only keeps when Python sees them as word characters; the parser then does too, checked per batch).
_SAFE_WORDS = re.compile(r"[0-9a-z\u0600-\u06ff ]*")
# A position is its number in the low 14 bits and its weight in the top two: A (title), B, C (body).
_CODES = tuple([weight | position for position in range(16384)] for weight in (3 << 14, 2 << 14, 1 << 14))
_MAX_POSITION = 16383
_MAX_POSITIONS = 255  # to_tsvector keeps at most this many positions of one lexeme
_MAX_WORD = 1000  # characters: below the parser's 2,047 bytes even in Arabic script
_POSITIONS = [struct.Struct(f">{count + 1}H") for count in range(_MAX_POSITIONS + 1)]


def search_vector(words):
    """(binary tsvector, ascii) for the `search_words` of title, summary and body, as `SearchDocument`
    would make it in SQL; (None, ascii) for text it cannot vouch for. `ascii`: no Arabic-script word."""
    # Folded ASCII words hold only a-z, 0-9 and "_" (`search_words` takes \w+ runs of case-folded text).
    ascii = all(part.isascii() for part in words)
    if any("_" in part for part in words) if ascii else not all(_SAFE_WORDS.fullmatch(part) for part in words):
        return None, ascii
    title, summary, body = (part.split() for part in words)
    first, second = len(title), len(title) + len(summary)
    every = title + summary + body
    if len(every) >= _MAX_POSITION:
        return None, ascii
    # Positions run on from one part to the next, as `||` shifts them by the highest position before.
    a, b, c = _CODES
    codes = a[1 : first + 1] + b[first + 1 : second + 1] + c[second + 1 : len(every) + 1]
    positions = defaultdict(list)
    for word, code in zip(every, codes):  # noqa: B905 -- same length by construction
        positions[word].append(code)
    out = [_LENGTH.pack(len(positions))]
    for word in sorted(positions):  # code-point order is the UTF-8 byte order PostgreSQL sorts lexemes in
        found = positions[word]
        count = len(found)
        if count > _MAX_POSITIONS or len(word) > _MAX_WORD:
            return None, ascii
        out.append(word.encode("utf-8") + b"\0" + _POSITIONS[count].pack(count, *found))
    data = b"".join(out)
    return _LENGTH.pack(len(data)) + data, ascii


# --- writing ----------------------------------------------------------------------------------------------

_ARABIC_PROBE = "والعراق بغداد"
_ARABIC_EXPECTED = "'بغداد':2 'والعراق':1"


def reserve_ids(count):
    """`count` new article ids, and whether the database's parser reads Arabic words as `search_words`
    does (its locale decides), in one query."""
    sequence = f"pg_get_serial_sequence('{Article._meta.db_table}', 'id')"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ARRAY(SELECT nextval({sequence}) FROM generate_series(1, %s)), "
            "to_tsvector('simple'::regconfig, %s)::text",
            [count, _ARABIC_PROBE],
        )
        ids, probe = cursor.fetchone()
    return sorted(ids), probe == _ARABIC_EXPECTED


def _copy(sql, data):
    """Run one COPY ... FROM STDIN with `data`, counted in the query log like any other query."""
    with connection.cursor() as cursor:
        logged = cursor.debug_sql(sql) if isinstance(cursor, CursorDebugWrapper) else nullcontext()
        with logged, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            copy.write(data)


def copy_articles(rows):
    """COPY the articles whose binary fields are `rows`: each the pieces that together make every column
    (`writer_fields`, `story_row`, `search_field`, `tags_field`), joined once here."""
    table = connection.ops.quote_name(Article._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    header = (struct.pack(">h", len(COLUMNS)),)
    _copy(
        f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)",
        b"".join([_SIGNATURE, *chain.from_iterable(header + row for row in rows), _TRAILER]),
    )


def writer_fields(pk, section_id, now, image_id, caption, dateline_id):
    """The binary fields of the columns the writer fills (`WRITER_COLUMNS`)."""
    stamp = _timestamp(now)
    return b"".join(
        (_INT8.pack(8, pk), _int8(section_id), stamp, stamp, _int8(image_id), _text(caption), _int8(dateline_id))
    )


def search_field(vector):
    """The binary field of the search document: `vector`, or NULL (filled in SQL afterwards)."""
    return vector if vector is not None else _NULL


_NO_POSITIONS = struct.pack(">H", 0)


def tags_field(regions, actors):
    """The binary field of `search_tags` for links to `regions` and `actors` (ids): lexemes without positions,
    in PostgreSQL's order, as `article_search_tags()` makes them."""
    lexemes = sorted(lexeme.encode("ascii") for lexeme in tag_lexemes(regions, actors))
    data = _LENGTH.pack(len(lexemes)) + b"".join(lexeme + b"\0" + _NO_POSITIONS for lexeme in lexemes)
    return _LENGTH.pack(len(data)) + data


def copy_links(model, columns, rows):
    """COPY rows of integers (one per column of `columns`) into a link table (text format: a row a line)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    data = "".join("\t".join(map(str, row)) + "\n" for row in rows).encode("ascii")
    _copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN", data)


def copy_tag_links(region_pairs, actor_pairs, author_rows):
    """COPY the region and actor links and the bylines ((article, author, position) rows) of new articles
    (none can exist yet)."""
    copy_links(ArticleRegion, ("content_object_id", "tag_id"), region_pairs)
    copy_links(ArticleActor, ("content_object_id", "tag_id"), actor_pairs)
    copy_links(Byline, ("article_id", "author_id", "position"), author_rows)


def copy_objects(model, objects, names):
    """COPY the unsaved `objects` of `model` in binary, one query: their fields `names` (by field name), the
    table's defaults for its other columns (the id included). Model fields' `pre_save` does not run: values
    are written as they are (a sanitised field must hold sanitised text)."""
    if not objects:
        return
    fields = [model._meta.get_field(name) for name in names]
    encoders = [(field.attname, _encoder(field)) for field in fields]
    header = struct.pack(">h", len(fields))
    rows = (header + b"".join(encode(getattr(o, attname)) for attname, encode in encoders) for o in objects)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    _copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)", b"".join([_SIGNATURE, *rows, _TRAILER]))


def stored_rows(keys, columns):
    """`columns` of the articles stored under `keys` ((source, source id) pairs, no empty id), in one query.

    A join of the keys with the table, rather than `source = %s AND source_id IN (...)`: the unique index
    leaves out empty source ids, PostgreSQL cannot prove a list of more than 100 ids stays inside it, and
    on a table without statistics yet (a fresh import, autovacuum not yet round) it then reads every row
    with that source for every batch (about 190 ms for 500 keys among 100,000 articles, against 3-8 ms).
    """
    sources, source_ids = zip(*keys, strict=True)
    selected = ", ".join(f"a.{connection.ops.quote_name(column)}" for column in columns)
    sql = (
        f"SELECT {selected} FROM unnest(%s::text[], %s::text[]) AS k(source, source_id) "
        f"JOIN {connection.ops.quote_name(Article._meta.db_table)} a "
        "ON a.source = k.source AND a.source_id = k.source_id AND a.source_id <> ''"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(sources), list(source_ids)])
        return cursor.fetchall()
