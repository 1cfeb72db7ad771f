"""The type of work of every story (news, analysis, opinion, explainer, interview), news for the stories there are
(the column's database default, so adding it rewrites no row), and the type a section suggests in the story form."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0021_revision_by_importer"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="genre",
            field=models.CharField(
                choices=[
                    ("news", "News"),
                    ("analysis", "Analysis"),
                    ("opinion", "Opinion"),
                    ("explainer", "Explainer"),
                    ("interview", "Interview"),
                ],
                db_default="news",
                default="news",
                help_text="Readers see a label on anything that is not news, so that they can tell reporting from analysis and opinion.",
                max_length=20,
                verbose_name="type of work",
            ),
        ),
        migrations.AddField(
            model_name="section",
            name="default_genre",
            field=models.CharField(
                blank=True,
                choices=[
                    ("news", "News"),
                    ("analysis", "Analysis"),
                    ("opinion", "Opinion"),
                    ("explainer", "Explainer"),
                    ("interview", "Interview"),
                ],
                help_text="Picking this section in a story's form also picks this type of work (an Opinion section: opinion), unless the type was chosen by hand. Empty: the section suggests none.",
                max_length=20,
                verbose_name="default type of work",
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.CheckConstraint(
                condition=models.Q(("genre__in", ["news", "analysis", "opinion", "explainer", "interview"])),
                name="article_genre_known",
            ),
        ),
    ]
