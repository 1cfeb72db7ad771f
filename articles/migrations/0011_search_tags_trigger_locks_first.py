# The search-tags trigger (0010) locks the articles whose links changed before it reads their links.
#
# In 0010 the new tags were computed in the UPDATE's own FROM subquery, from the snapshot the statement
# started with. Two transactions adding links to the same story at once (an import and `retag_articles`,
# an editor accepting a suggestion meanwhile): the second UPDATE waited for the first one's row lock, then
# wrote tags computed without the first one's link, and that tag dropped out of search. Now the trigger
# first locks the stories (in id order, so two batches cannot deadlock on them) and then computes and
# writes in a second statement, whose fresh snapshot sees every link committed before the lock was granted.

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION article_search_tags_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
    changed bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := ARRAY(SELECT DISTINCT content_object_id FROM new_links);
    ELSIF TG_OP = 'DELETE' THEN
        changed := ARRAY(SELECT DISTINCT content_object_id FROM old_links);
    ELSE
        changed := ARRAY(SELECT content_object_id FROM old_links UNION SELECT content_object_id FROM new_links);
    END IF;
    PERFORM 1 FROM articles_article WHERE id = ANY(changed) ORDER BY id FOR UPDATE;
    -- Only the stories whose tags differ: the importer writes them with the story, so its link COPY
    -- changes nothing here.
    UPDATE articles_article a SET search_tags = t.tags
    FROM (SELECT id, article_search_tags(id, search_tags, kind) AS tags FROM articles_article
          WHERE id = ANY(changed)) t
    WHERE a.id = t.id AND a.search_tags <> t.tags;
    RETURN NULL;
END $$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_search_tags_in_index")]

    # Backwards keeps this version: it is right for 0010's schema too, and 0010's own backwards drops it.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
