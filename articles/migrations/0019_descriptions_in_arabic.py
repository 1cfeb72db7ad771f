"""Arabic descriptions and bios: `description_ar` on places, actors and sections, `bio_ar` on authors, what the
Arabic edition prints (empty: the English text is printed, marked as English)."""

from django.db import migrations, models


def description_ar():
    return models.TextField(
        blank=True,
        help_text="Arabic pages show this; without it, they show the English description.",
        verbose_name="Arabic description",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0018_staff_profile"),
    ]

    operations = [
        migrations.AddField(model_name="region", name="description_ar", field=description_ar()),
        migrations.AddField(model_name="actor", name="description_ar", field=description_ar()),
        migrations.AddField(model_name="section", name="description_ar", field=description_ar()),
        migrations.AddField(
            model_name="author",
            name="bio_ar",
            field=models.TextField(
                blank=True,
                help_text="Arabic pages show this; without it, they show the English bio.",
                verbose_name="Arabic bio",
            ),
        ),
    ]
