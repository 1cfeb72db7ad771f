"""What the article change form posts, for tests that drive the admin like a browser would."""


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
