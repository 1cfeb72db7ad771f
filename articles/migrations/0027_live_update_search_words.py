# Live updates in search: each update keeps its folded words, and a story's search document takes in those of
# its updates readers see (weight D on PostgreSQL). Fills both for the updates already posted.

import articles.models.fields
from django.db import migrations


def fill_words(apps, schema_editor):
    """Each existing update's words, then the search document of every story with an update, in batches."""
    LiveUpdate = apps.get_model("articles", "LiveUpdate")
    Article = apps.get_model("articles", "Article")
    words = LiveUpdate._meta.get_field("search_words")
    last_pk = 0
    while batch := list(LiveUpdate.objects.filter(pk__gt=last_pk).order_by("pk")[:500]):
        for update in batch:
            update.search_words = words.words_of(update)
        LiveUpdate.objects.bulk_update(batch, ["search_words"])
        last_pk = batch[-1].pk
    document = Article._meta.get_field("search_document")
    stories = Article.objects.filter(pk__in=LiveUpdate.objects.values("article_id"))
    last_pk = 0
    while batch := list(stories.filter(pk__gt=last_pk).order_by("pk")[:500]):
        for article in batch:
            article.search_document = document.document_for(article)
        Article.objects.bulk_update(batch, ["search_document"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0026_live_update_corrections"),
    ]

    operations = [
        migrations.AddField(
            model_name="liveupdate",
            name="search_words",
            field=articles.models.fields.FoldedWordsField(
                default="", sources=("title", "text"), verbose_name="search words"
            ),
        ),
        migrations.RunPython(fill_words, migrations.RunPython.noop),
    ]
