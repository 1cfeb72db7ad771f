"""The `{% picture %}` markup: WebP and JPEG srcsets, sizes, dimensions, alt text, lazy loading, query budget."""

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Rendition
from articles.tests.factories import ArticleFactory
from articles.tests.pictures import library_image

pytestmark = pytest.mark.django_db


def render(source, **context):
    return Template("{% load images %}" + source).render(Context(context))


def attribute(markup, tag, name):
    match = re.search(rf"<{tag}\b[^>]*\s{name}=\"([^\"]*)\"", markup)
    return match and match[1]


def test_picture_offers_webp_and_jpeg_at_every_width_the_crop_fills():
    image = library_image(size=(1000, 800), alt_text="Smoke over the old city")

    html = render('{% picture image sizes="(min-width: 60em) 50vw, 100vw" %}', image=image)

    webp = attribute(html, "source", "srcset")
    jpeg = attribute(html, "img", "srcset")
    assert attribute(html, "source", "type") == "image/webp"
    assert re.fullmatch(r"\S+/w320-16x9\S*\.webp 320w, \S+/w640-16x9\S*\.webp 640w, \S+/w960-16x9\S*\.webp 960w", webp)
    assert re.fullmatch(r"\S+/w320-16x9\S*\.jpg 320w, \S+/w640-16x9\S*\.jpg 640w, \S+/w960-16x9\S*\.jpg 960w", jpeg)
    assert attribute(html, "img", "sizes") == attribute(html, "source", "sizes") == "(min-width: 60em) 50vw, 100vw"
    assert re.search(r"/w960-16x9\S*\.jpg$", attribute(html, "img", "src"))
    assert (attribute(html, "img", "width"), attribute(html, "img", "height")) == ("960", "540")
    assert attribute(html, "img", "alt") == "Smoke over the old city"
    assert attribute(html, "img", "loading") == "lazy"
    assert html.startswith("<picture>") and html.endswith("</picture>")


def test_decorative_picture_has_empty_alt():
    image = library_image(decorative=True, alt_text="")

    html = render("{% picture image %}", image=image)

    assert ' alt=""' in html


def test_alt_text_and_sizes_are_escaped():
    image = library_image(alt_text='He said "leave" <now>')

    html = render("{% picture image sizes=sizes %}", image=image, sizes='100vw" onload="alert(1)')

    assert 'alt="He said &quot;leave&quot; &lt;now&gt;"' in html
    assert 'onload="alert' not in html


def test_small_picture_lists_its_own_width_once():
    image = library_image(size=(200, 150))

    html = render('{% picture image crop="1:1" %}', image=image)

    assert re.fullmatch(r"\S+/w150-1x1\S*\.jpg 150w", attribute(html, "img", "srcset"))
    assert (attribute(html, "img", "width"), attribute(html, "img", "height")) == ("150", "150")


def test_no_picture_prints_nothing():
    assert render("{% picture image %}|{% lead_figure article %}", image=None, article=ArticleFactory()) == "|"


def test_lead_figure_prints_the_stories_caption_and_the_credit_eagerly():
    article = ArticleFactory(lead_image=library_image(caption="Library caption", credit="Jane Doe / AFP"))
    plain = ArticleFactory(lead_image=article.lead_image, lead_image_caption="Caption for this story")

    html = render("{% lead_figure article %}", article=article)
    overridden = render("{% lead_figure article %}", article=plain)

    assert '<figcaption>Library caption <span class="credit">Jane Doe / AFP</span></figcaption>' in html
    assert "Caption for this story" in overridden and "Library caption" not in overridden
    assert attribute(html, "img", "loading") == "eager"
    assert attribute(html, "img", "fetchpriority") == "high"


def test_rendition_url_tag_gives_the_og_image_address():
    image = library_image(size=(1600, 900))

    url = render('{% rendition_url image "w1200-16x9.jpg" %}', image=image)

    assert re.fullmatch(r"/media/images/renditions/[0-9a-f]{64}/w1200-16x9-f500-500\.jpg", url)


def _list_queries(count):
    with CaptureQueriesContext(connection) as captured:
        articles = Article.objects.filter(lead_image__isnull=False).select_related("lead_image")
        articles = articles.prefetch_related("lead_image__renditions")[:count]
        render("{% for a in articles %}{% picture a.lead_image %}{% endfor %}", articles=articles)
    return len(captured)


def test_a_list_of_pictures_costs_the_same_queries_for_few_and_many_after_the_first_view():
    for _ in range(5):
        ArticleFactory(lead_image=library_image())
    _list_queries(5)  # the first view makes the renditions
    made = Rendition.objects.count()

    few, many = _list_queries(2), _list_queries(5)

    assert few == many == 2  # articles with their pictures; all renditions
    assert Rendition.objects.count() == made  # nothing is made again
