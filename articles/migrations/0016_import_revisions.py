"""Imports record revisions and keep the desk's work: `Article.imported_version` and the `held` revision state.

`imported_version` is the version the importer last wrote. For stories imported before it existed: where no
revision holds the current version, the importer wrote it last (imports kept no revisions until now), so it
is the current version; where one does, the desk saved last and the importer's version is unknown, so it is
left empty, which a re-import reads as "edited by the desk" and holds its changes for review.
"""

from django.db import migrations, models
from django.db.models import Exists, F, OuterRef


def imported_versions(apps, schema_editor):
    article_model = apps.get_model("articles", "Article")
    revision_model = apps.get_model("articles", "ArticleRevision")
    saved_by_desk = revision_model.objects.filter(article=OuterRef("pk"), number=OuterRef("version"))
    imported = article_model.objects.exclude(import_digest="").filter(~Exists(saved_by_desk))
    imported.update(imported_version=F("version"))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_byline_order"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="articlerevision",
            name="revision_state_known",
        ),
        migrations.AddField(
            model_name="article",
            name="imported_version",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name="imported version"),
        ),
        migrations.AlterField(
            model_name="articlerevision",
            name="state",
            field=models.CharField(
                choices=[
                    ("applied", "Saved to the article"),
                    ("pending", "Pending update (not yet live)"),
                    ("superseded", "Replaced before going live"),
                    ("held", "Imported, not applied (the desk's version was kept)"),
                ],
                default="applied",
                max_length=20,
                verbose_name="state",
            ),
        ),
        migrations.AddConstraint(
            model_name="articlerevision",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["applied", "pending", "superseded", "held"])),
                name="revision_state_known",
            ),
        ),
        migrations.RunPython(imported_versions, migrations.RunPython.noop),
    ]
