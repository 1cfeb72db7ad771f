"""Who the journalist is, on the author's page: a job title in English and Arabic, a photo from the library
(SET_NULL: a deleted picture leaves the author without one) and their public profile links, one per line."""

import articles.profile_links
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0019_descriptions_in_arabic"),
    ]

    operations = [
        migrations.AddField(
            model_name="author",
            name="job_title",
            field=models.CharField(
                blank=True,
                help_text="Shown under the name, e.g. “Syria correspondent”.",
                max_length=120,
                verbose_name="job title",
            ),
        ),
        migrations.AddField(
            model_name="author",
            name="job_title_ar",
            field=models.CharField(
                blank=True,
                help_text="Arabic pages show this; without it, they show the English job title.",
                max_length=120,
                verbose_name="Arabic job title",
            ),
        ),
        migrations.AddField(
            model_name="author",
            name="photo",
            field=models.ForeignKey(
                blank=True,
                help_text="Shown square at the top of the author's page. It needs alt text, or to be marked decorative.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="photo_of",
                to="articles.image",
                verbose_name="photo",
            ),
        ),
        migrations.AddField(
            model_name="author",
            name="profile_links",
            field=models.TextField(
                blank=True,
                help_text="The journalist's public profiles, one address per line: https://x.com/…, a Mastodon or LinkedIn page, a personal site, or mailto: an e-mail address.",
                validators=[articles.profile_links.validate_profile_links],
                verbose_name="profile links",
            ),
        ),
    ]
