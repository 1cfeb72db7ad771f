"""Author.name_ar: the author's name as the Arabic edition prints it (empty: the display name is printed)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0016_import_revisions"),
    ]

    operations = [
        migrations.AddField(
            model_name="author",
            name="name_ar",
            field=models.CharField(
                blank=True,
                help_text="The byline in the Arabic edition; without it, Arabic pages print the display name.",
                max_length=120,
                verbose_name="Arabic name",
            ),
        ),
    ]
