# Search: a story's places and actors are indexed with its words (PostgreSQL only).
#
# `search_tags` holds one lexeme per tag link ('~r12' for region 12, '~a7' for actor 7: no query word can
# start with '~', so a prefix search never reaches them), kept by triggers on the two link tables, so every
# way links change (taggit, the importer's COPY and bulk writes, merges, deletions) keeps it true. One GIN
# index covers words and tags together (`article_search_terms`), so "Idlib airstrike" (the word, and Idlib
# by word or by tag) is one index scan that yields only the final matches. The function is declared costly
# because evaluating it on a row unpacks the story's stored tsvector: the planner then reads matches from
# the index instead of testing rows one by one.

from django.db import migrations

FUNCTIONS = """
CREATE FUNCTION article_search_tags(article bigint, current tsvector, kind text) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    -- `current` with its lexemes of one kind ('r' regions, 'a' actors) replaced by the article's links of
    -- that kind: a change to region links never needs to read actor links, and the other way round.
    SELECT array_to_tsvector(ARRAY(
        SELECT lexeme FROM unnest(tsvector_to_array(current)) AS lexeme WHERE left(lexeme, 2) <> '~' || kind
        UNION SELECT '~r' || tag_id FROM articles_articleregion WHERE kind = 'r' AND content_object_id = article
        UNION SELECT '~a' || tag_id FROM articles_articleactor WHERE kind = 'a' AND content_object_id = article))
$$;

CREATE FUNCTION article_search_terms(document tsvector, tags tsvector) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE COST 1000 AS $$ BEGIN RETURN coalesce(document, '') || tags; END $$;

CREATE FUNCTION article_search_tags_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
BEGIN
    -- Only the articles whose links changed, and only when their tags differ: the importer writes them with
    -- the article, so its link COPY changes nothing here.
    IF TG_OP = 'INSERT' THEN
        UPDATE articles_article a SET search_tags = t.tags
        FROM (SELECT id, article_search_tags(id, search_tags, kind) AS tags FROM articles_article
              WHERE id IN (SELECT content_object_id FROM new_links)) t
        WHERE a.id = t.id AND a.search_tags <> t.tags;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE articles_article a SET search_tags = t.tags
        FROM (SELECT id, article_search_tags(id, search_tags, kind) AS tags FROM articles_article
              WHERE id IN (SELECT content_object_id FROM old_links)) t
        WHERE a.id = t.id AND a.search_tags <> t.tags;
    ELSE
        UPDATE articles_article a SET search_tags = t.tags
        FROM (SELECT id, article_search_tags(id, search_tags, kind) AS tags FROM articles_article
              WHERE id IN (SELECT content_object_id FROM old_links UNION SELECT content_object_id FROM new_links)) t
        WHERE a.id = t.id AND a.search_tags <> t.tags;
    END IF;
    RETURN NULL;
END $$;
"""

TRIGGERS = """
CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION article_search_tags_changed('{kind}');
CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_links
    FOR EACH STATEMENT EXECUTE FUNCTION article_search_tags_changed('{kind}');
CREATE TRIGGER {table}_search_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_links
    NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION article_search_tags_changed('{kind}');
"""
LINK_TABLES = {"articles_articleregion": "r", "articles_articleactor": "a"}

# Filled before the new index exists and after the old one is gone: maintaining a GIN index row by row
# during a whole-table UPDATE is many times slower than building it once.
FILL = """
UPDATE articles_article a SET search_tags = t.tags FROM (
    SELECT article, array_to_tsvector(array_agg(lexeme)) AS tags FROM (
        SELECT content_object_id AS article, '~r' || tag_id AS lexeme FROM articles_articleregion
        UNION SELECT content_object_id, '~a' || tag_id FROM articles_articleactor) links
    GROUP BY article) t
WHERE t.article = a.id
"""
INDEX = (
    "CREATE INDEX article_search_gin ON articles_article "
    "USING gin (article_search_terms(search_document, search_tags))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run("ALTER TABLE articles_article ADD COLUMN search_tags tsvector NOT NULL DEFAULT ''")
    run(FUNCTIONS)
    run("DROP INDEX IF EXISTS article_search_document_gin")
    run(FILL)
    for table, kind in LINK_TABLES.items():
        run(TRIGGERS.format(table=table, kind=kind))
    run("SET LOCAL maintenance_work_mem = '256MB'")
    run(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    for table in LINK_TABLES:
        for event in ("insert", "delete", "update"):
            run(f"DROP TRIGGER IF EXISTS {table}_search_{event} ON {table}")
    run("DROP INDEX IF EXISTS article_search_gin")
    run("ALTER TABLE articles_article DROP COLUMN IF EXISTS search_tags")
    run("DROP FUNCTION IF EXISTS article_search_tags_changed(), article_search_terms(tsvector, tsvector)")
    run("DROP FUNCTION IF EXISTS article_search_tags(bigint, tsvector, text)")
    run("CREATE INDEX IF NOT EXISTS article_search_document_gin ON articles_article USING gin (search_document)")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_imported_input"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
