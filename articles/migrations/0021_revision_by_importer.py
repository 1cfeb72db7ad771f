"""Revisions say when the importer saved them: `ArticleRevision.by_importer`.

Imports record revisions without a person, as a revision whose person was deleted has none, so the desk read
both as "someone". For revisions recorded before this field, the importer's are told by what only an import
writes: the `held` state, or a note that starts as an imported update's does (in the language the import ran
in). A story's first recorded state is the importer's where the importer wrote that version: it is still the
version the importer last wrote, or the importer's next revision was written into the story in place (not
held), which an import does only over its own version. Any other revision without a person stays unknown.
"""

from django.db import migrations, models
from django.db.models import Exists, F, OuterRef, Q

# The notes as `articles.importers.updates.note` and `articles.revisions.FIRST_RECORDED` wrote them, in English
# and in the Arabic of the catalogue at the time (a note is stored in the language the import or save ran in).
IMPORTED_UPDATE = ("Imported update from ", "تحديث مستورد من ")
HELD = (", held: ", "، مُعلَّق: ")
FIRST_RECORDED = ("as first recorded", "كما سُجِّلت أول مرة")


def _any(lookup, texts):
    condition = Q()
    for text in texts:
        condition |= Q(**{lookup: text})
    return condition


def credit_the_importer(apps, schema_editor):
    revision_model = apps.get_model("articles", "ArticleRevision")
    nobody = revision_model.objects.filter(created_by__isnull=True)
    nobody.filter(Q(state="held") | _any("note__startswith", IMPORTED_UPDATE)).update(by_importer=True)
    written_in_place_next = (
        revision_model.objects.filter(article=OuterRef("article"), number=OuterRef("number") + 1, by_importer=True)
        .exclude(_any("note__contains", HELD))
        .values("pk")
    )
    first_recorded = nobody.filter(by_importer=False, note__in=FIRST_RECORDED)
    first_recorded.filter(Q(article__imported_version=F("number")) | Exists(written_in_place_next)).update(
        by_importer=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0020_author_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="articlerevision",
            name="by_importer",
            field=models.BooleanField(default=False, verbose_name="by the importer"),
        ),
        migrations.RunPython(credit_the_importer, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="articlerevision",
            constraint=models.CheckConstraint(
                condition=models.Q(("by_importer", False), ("created_by__isnull", True), _connector="OR"),
                name="revision_by_a_person_or_the_importer",
            ),
        ),
    ]
