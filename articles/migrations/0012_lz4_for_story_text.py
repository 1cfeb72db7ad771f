# A story's body and search document are compressed with lz4 instead of pglz (PostgreSQL 14+ built with lz4).
#
# Both are several kilobytes and always go to TOAST compression. pglz cost the import about 0.1 ms of
# PostgreSQL's CPU per story on this project's bench (inserting 5,000 bench stories: 1.25 s with pglz,
# 0.50 s with lz4), and search decompresses the stored vectors of every candidate it ranks, which lz4 does
# about twice as fast. Rows written before keep pglz (PostgreSQL reads both); new and rewritten rows use lz4.
# A server built without lz4 keeps pglz: nothing else depends on it.

from django.db import migrations

COLUMNS = ("body", "search_document")


def _lz4_available(cursor):
    cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
    row = cursor.fetchone()
    return bool(row and row[0])


def _set(schema_editor, method):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if method == "lz4" and not _lz4_available(cursor):
            return
    changes = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION {method}" for column in COLUMNS)
    schema_editor.execute(f"ALTER TABLE articles_article {changes}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_search_tags_trigger_locks_first")]

    operations = [
        migrations.RunPython(lambda apps, editor: _set(editor, "lz4"), lambda apps, editor: _set(editor, "pglz"))
    ]
