"""What the article change form posts, for tests that drive the admin like a browser would."""

from django.urls import reverse


def form_data(article, **overrides):
    """The article form's fields as the browser sends them for `article`, with `overrides` applied."""
    data = {
        "language": article.language,
        "genre": article.genre,
        "kicker": article.kicker,
        "headline": article.headline,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": article.body,
        "section": article.section_id or "",
        "authors": [a.pk for a in article.authors.all()],
        "regions": [r.pk for r in article.regions.all()],
        "actors": [a.pk for a in article.actors.all()],
        "see_also": [s.pk for s in article.see_also.all()],
        "byline": article.byline,
        "credit": article.credit,
        "dateline_place": article.dateline_place_id or "",
        "dateline_time_0": "",
        "dateline_time_1": "",
        "embargo_until_0": "",
        "embargo_until_1": "",
        "source": article.source,
        "source_id": article.source_id,
        "source_url": article.source_url,
        "base_version": article.version,
    }
    data.update(overrides)
    return data


def post_change(client, article, **overrides):
    """Post the article's change form as `client`, with `overrides` applied to what the browser would send."""
    return client.post(reverse("admin:articles_article_change", args=[article.pk]), form_data(article, **overrides))
