# The public site: the search document (a weighted tsvector with a GIN index on PostgreSQL, folded text
# elsewhere) and the index behind every public list (per edition, newest public time first).

import articles.models.fields
import django.db.models.functions.comparison
from django.db import migrations, models


def fill_search_documents(apps, schema_editor):
    """Write the search document of every existing article, in batches."""
    Article = apps.get_model("articles", "Article")
    field = Article._meta.get_field("search_document")
    last_pk = 0
    while batch := list(Article.objects.filter(pk__gt=last_pk).order_by("pk")[:500]):
        for article in batch:
            # Without live updates' words: their table and column come in later migrations.
            article.search_document = articles.models.fields.SearchDocument(*field.texts_of(article), live=False)
        Article.objects.bulk_update(batch, ["search_document"])
        last_pk = batch[-1].pk


def add_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_search_document_gin ON articles_article USING gin (search_document)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_document_gin")


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0002_workflow_events'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='search_document',
            field=articles.models.fields.SearchDocumentField(verbose_name='search document'),
        ),
        migrations.RunPython(fill_search_documents, migrations.RunPython.noop),
        migrations.RunPython(add_gin_index, drop_gin_index),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(models.F('language'), models.OrderBy(django.db.models.functions.comparison.Coalesce('first_published_at', 'scheduled_for'), descending=True), name='article_language_public_time'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(models.OrderBy(django.db.models.functions.comparison.Coalesce('first_published_at', 'scheduled_for'), descending=True), name='article_public_time'),
        ),
    ]
