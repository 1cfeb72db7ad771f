"""Article.authors goes through Byline, whose `position` keeps the order the desk gave the authors.

The link table of the plain many-to-many relation becomes Byline's table with its rows (the state changes,
the table keeps its name), gains `position`, and its unique (article, author) index becomes a named
constraint. Existing links are numbered in the order readers saw them until now: by the author's display
name, then the author's id, compared by the database itself (its collation, as the pages' ORDER BY did).
Revisions kept their authors' ids sorted by id; those with several authors get them in that same order, so
restoring an old revision or publishing an old pending update keeps the byline readers knew.
"""

import django.db.models.deletion
from django.db import migrations, models

# Each link's place among its story's links by (display name, author id); only stories with several authors.
NUMBER_EXISTING_LINKS = """
UPDATE articles_article_authors SET position = (
    SELECT COUNT(*) FROM articles_article_authors earlier
    JOIN articles_author earlier_author ON earlier_author.id = earlier.author_id
    JOIN articles_author this_author ON this_author.id = articles_article_authors.author_id
    WHERE earlier.article_id = articles_article_authors.article_id
    AND (
        earlier_author.display_name < this_author.display_name
        OR (earlier_author.display_name = this_author.display_name AND earlier.author_id < this_author.id)
    )
)
WHERE article_id IN (SELECT article_id FROM articles_article_authors GROUP BY article_id HAVING COUNT(*) > 1)
"""


def revision_authors_in_name_order(apps, schema_editor):
    """Put the authors of revisions with several of them in the order readers saw: display name, then id."""
    Author = apps.get_model("articles", "Author")
    ArticleRevision = apps.get_model("articles", "ArticleRevision")
    names = Author.objects.order_by("display_name", "pk").values_list("pk", flat=True)
    rank = {pk: place for place, pk in enumerate(names)}
    changed = []
    several = ArticleRevision.objects.filter(content__authors__1__isnull=False).only("content")
    for revision in several.iterator(chunk_size=500):
        authors = revision.content["authors"]
        ordered = sorted(authors, key=lambda pk: (rank.get(pk, len(rank)), pk))  # deleted authors last
        if ordered != authors:
            revision.content["authors"] = ordered
            changed.append(revision)
    ArticleRevision.objects.bulk_update(changed, ["content"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_featured_until"),
    ]

    operations = [
        # The table Django made for the relation, described as a model: nothing changes in the database.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Byline",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "article",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="bylines",
                                to="articles.article",
                            ),
                        ),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="bylines",
                                to="articles.author",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "articles_article_authors",
                        "unique_together": {("article", "author")},
                    },
                ),
                migrations.AlterField(
                    model_name="article",
                    name="authors",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="articles",
                        through="articles.Byline",
                        to="articles.author",
                        verbose_name="authors",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="byline",
            name="position",
            field=models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.", verbose_name="position"),
        ),
        migrations.RunSQL(NUMBER_EXISTING_LINKS, reverse_sql=migrations.RunSQL.noop),
        migrations.RunPython(revision_authors_in_name_order, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="byline",
            options={
                "ordering": ["position", "author_id"],
                "verbose_name": "byline",
                "verbose_name_plural": "bylines",
            },
        ),
        migrations.AlterUniqueTogether(name="byline", unique_together=set()),
        migrations.AddConstraint(
            model_name="byline",
            constraint=models.UniqueConstraint(fields=("article", "author"), name="unique_byline_author"),
        ),
    ]
