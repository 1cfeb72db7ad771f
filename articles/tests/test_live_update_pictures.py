"""A picture on a live update (`LiveUpdate.image`): the desk picks one from the library; readers see it with its
caption and credit, in the updates' own query; its structured data carries its crops; it must be fit to go
public as a story's pictures must; editing it purges the blog's pages; every refusal writes nothing."""

import extruct
import pytest
from django.urls import reverse
from lxml import html as lxml_html

from articles import images, workflow
from articles.models import Article, ArticleEvent, LiveUpdate
from articles.tests.pictures import library_image
from articles.tests.publishing import fresh_cache, page_queries, story  # noqa: F401
from articles.tests.test_caching import any_cache  # noqa: F401 - a fixture: the memory cache, then Redis

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def written(article):
    return (
        Article.objects.filter(pk=article.pk).values("last_published_at", "updated_at").get(),
        list(ArticleEvent.objects.filter(article=article).values_list("pk", flat=True)),
        list(LiveUpdate.objects.filter(article=article).order_by("pk").values()),
    )


def pictures_on(client, article):
    """{update anchor: (alt text, caption text) or None} of the updates on the story page."""
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content.decode())
    found = {}
    for update in page.xpath('//section[@class="live-updates"]/article'):
        figure = update.xpath('.//figure[@class="live-update-picture"]')
        found[update.get("id")] = (
            (figure[0].xpath(".//img/@alt")[0], " ".join(figure[0].xpath("./figcaption")[0].text_content().split()))
            if figure
            else None
        )
    return found


def test_readers_see_an_updates_picture_with_its_caption_and_credit(client, publisher, page_cache_off):
    photo = library_image()
    article = story()
    workflow.post_live_update(article, by=publisher, text="Families reached the checkpoint.", image=photo)
    workflow.post_live_update(article, by=publisher, text="No picture here.")
    plain, pictured = LiveUpdate.objects.filter(article=article).order_by("-pk")
    assert pictures_on(client, article) == {
        f"update-{plain.pk}": None,
        f"update-{pictured.pk}": (
            "Families with bags waiting beside a road",
            "Families wait at a checkpoint. Jane Doe / AFP",
        ),
    }
    html = client.get(article.get_absolute_url()).content.decode()
    (data,) = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    newest, oldest = data["liveBlogUpdate"]
    assert "image" not in newest
    assert len(oldest["image"]) == 3 and all(url.startswith("http://testserver/media/") for url in oldest["image"])


def test_pictures_cost_the_page_no_query(client, publisher, page_cache_off):
    blogs = []
    for photo in (library_image(), None):
        article = story()
        for n in range(3):
            workflow.post_live_update(article, by=publisher, text=f"Update {n}.", image=photo)
        blogs.append(article)
    # Warm: the first view makes the picture's renditions; later views read them in the updates' query.
    assert page_queries(client, blogs[0].get_absolute_url()) == page_queries(client, blogs[1].get_absolute_url())


@pytest.mark.parametrize(
    ("missing", "reason"),
    [
        ({"alt_text": "", "decorative": False}, "has no alt text"),
        ({"credit": ""}, "has no credit"),
        ({"copyright_holder": ""}, "has no copyright holder"),
    ],
)
def test_a_picture_unfit_to_go_public_is_refused_with_the_reason(publisher, missing, reason):
    photo = library_image(**missing)
    article = story()
    update_before = LiveUpdate.objects.count()
    with pytest.raises(workflow.WorkflowError, match=reason):
        workflow.post_live_update(article, by=publisher, text="Families arrived.", image=photo)
    assert LiveUpdate.objects.count() == update_before and not ArticleEvent.objects.filter(article=article).exists()
    workflow.post_live_update(article, by=publisher, text="Families arrived.")
    update = LiveUpdate.objects.get(article=article)
    before = written(article)
    with pytest.raises(workflow.WorkflowError, match=reason):
        workflow.edit_live_update(update, by=publisher, text="Families arrived.", image=photo)
    assert written(article) == before


def test_a_correction_changes_or_takes_off_the_picture_and_the_trail_names_the_one_replaced(publisher):
    first, second = library_image(title="Checkpoint"), library_image(title="Convoy")
    article = story()
    workflow.post_live_update(article, by=publisher, text="Families arrived.", image=first)
    update = LiveUpdate.objects.get()
    workflow.edit_live_update(update, by=publisher, text="Families arrived.", image=second)  # the picture alone
    assert LiveUpdate.objects.get().image == second
    event = ArticleEvent.objects.filter(article=article, action="edit_live_update").get()
    assert "\nPicture: Checkpoint\n" in event.note
    workflow.edit_live_update(update, by=publisher, text="Families arrived at noon.")  # kept unless given
    assert LiveUpdate.objects.get().image == second
    workflow.edit_live_update(update, by=publisher, text="Families arrived at noon.", image=None)
    assert LiveUpdate.objects.get().image is None


def test_editing_the_picture_purges_the_blog_and_deleting_it_leaves_the_update(
    client, any_cache, publisher, django_capture_on_commit_callbacks
):
    photo = library_image()
    article = story()
    workflow.post_live_update(article, by=publisher, text="Families arrived.", image=photo)
    assert "Families wait at a checkpoint." in client.get(article.get_absolute_url()).content.decode()  # cached
    assert list(images.articles_using(photo)) == [article]  # the library says where it shows
    with django_capture_on_commit_callbacks(execute=True):
        photo.caption = "Families wait at the Baghouz checkpoint."
        photo.save()
    assert "the Baghouz checkpoint" in client.get(article.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    update = LiveUpdate.objects.get()
    assert update.image is None and update.text == "<p>Families arrived.</p>"
    assert "checkpoint" not in client.get(article.get_absolute_url()).content.decode()


# -- the desk ----------------------------------------------------------------------------------------------------


def test_the_desk_posts_and_corrects_an_updates_picture_and_refuses_a_forged_one(client, publisher):
    photo = library_image(title="Checkpoint")
    article = story()
    client.force_login(publisher)
    post = reverse("admin:articles_article_move", args=[article.pk, "post_live_update"])
    change = reverse("admin:articles_article_change", args=[article.pk])
    form = lxml_html.fromstring(client.get(change).content.decode()).xpath('//form[contains(@action, "post_live")]')[0]
    (picker,) = form.xpath('.//select[@name="image"]')
    assert picker.get("class") == "admin-autocomplete" and picker.get("data-field-name") == "lead_image"
    html = client.post(post, {"text": "Families arrived.", "image": "987654321"}, follow=True).content.decode()
    assert "No such picture: pick one from the library." in html and not LiveUpdate.objects.exists()
    client.post(post, {"text": "Families arrived.", "image": str(photo.pk)})
    update = LiveUpdate.objects.get()
    assert update.image == photo
    # The correction form starts on the picture; an empty choice takes it off.
    page = lxml_html.fromstring(client.get(change).content.decode())
    (chosen,) = page.xpath(f'//li[@id="desk-update-{update.pk}"]//select[@name="image"]/option[@selected]')
    assert (chosen.get("value"), chosen.text) == (str(photo.pk), "Checkpoint")
    edit = reverse("admin:articles_article_live_update", args=[article.pk, update.pk, "edit_live_update"])
    before = written(article)  # a forged picture in a correction changes nothing, and says why
    page = client.post(edit, {"text": "Families arrived at noon.", "image": "987654321"}, follow=True)
    assert "No such picture: pick one from the library." in page.content.decode() and written(article) == before
    client.post(edit, {"text": "Families arrived.", "image": ""})
    assert LiveUpdate.objects.get().image is None


def test_a_refused_update_comes_back_with_its_picture_chosen(client, publisher):
    photo = library_image(title="Checkpoint")
    article = story()
    client.force_login(publisher)
    post = reverse("admin:articles_article_move", args=[article.pk, "post_live_update"])
    html = client.post(post, {"text": " ", "image": str(photo.pk)}, follow=True).content.decode()
    assert "Write the text of the live update." in html
    form = lxml_html.fromstring(html).xpath('//form[contains(@action, "post_live")]')[0]
    assert form.xpath('.//select[@name="image"]/option[@selected]/@value') == [str(photo.pk)]


# -- feeds and exports -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["rss", "atom"])
def test_an_updates_picture_is_its_feed_items_enclosure_at_no_query_more(client, publisher, page_cache_off, form):
    import feedparser
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    photo = library_image()
    article = story()
    workflow.post_live_update(article, by=publisher, text="Families reached the checkpoint.", image=photo)
    workflow.post_live_update(article, by=publisher, text="No picture here.")
    client.get(article.live_updates_feed_url(form))  # the first view makes the feed's JPEG, as for a lead picture
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.live_updates_feed_url(form))
    assert len(queries) == 2  # as without pictures (test_live_update_feeds.py)
    plain, pictured = feedparser.parse(response.content).entries
    assert plain.enclosures == []
    (enclosure,) = pictured.enclosures
    rendition = photo.feed_rendition()
    assert enclosure.href == "http://testserver" + rendition.url
    assert (enclosure.type, int(enclosure.length)) == ("image/jpeg", rendition.file_size)
    assert rendition.file.storage.exists(rendition.file.name)


def test_a_ninjs_export_carries_an_updates_picture_as_its_own_valid_association(publisher, tmp_path, settings):
    import io
    import json

    import jsonschema
    from django.core.management import call_command

    from articles.tests.test_export import SCHEMA

    settings.NEWSROOM_SITE_URL = "https://news.example.org/"
    photo = library_image()
    article = story()
    workflow.post_live_update(article, by=publisher, text="Families reached the checkpoint.", image=photo)
    workflow.post_live_update(article, by=publisher, text="No picture here.")
    out = tmp_path / "export.json"
    call_command("export_articles", str(out), "--format", "ninjs", stdout=io.StringIO())
    (item,) = json.loads(out.read_text(encoding="utf-8"))
    pictured, plain = [a for a in item["associations"] if a.get("profile") == "newsroom:live-update"]
    assert "associations" not in plain
    (picture,) = pictured["associations"]
    checker = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    checker.validate({k: v for k, v in pictured.items() if k != "name"})
    checker.validate({k: v for k, v in picture.items() if k != "name"})
    assert (picture["name"], picture["type"], picture["by"], picture["copyrightholder"]) == (
        "featureimage",
        "picture",
        "Jane Doe / AFP",
        "AFP",
    )
    assert picture["uri"] == f"urn:newsroom:image:{photo.content_hash}"
    assert {d["role"]: d["value"] for d in picture["descriptions"]} == {
        "caption": "Families wait at a checkpoint.",
        "alt": "Families with bags waiting beside a road",
    }
    (rendition,) = picture["renditions"]
    assert rendition["href"] == "https://news.example.org" + photo.feed_rendition().url
    # Once its JPEG is made, the picture and its renditions come in the updates' own query: the export's count
    # stays that of one without pictures (test_export.py).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.export import write_export

    with CaptureQueriesContext(connection) as queries:
        write_export(str(tmp_path / "again.json"), "ninjs")
    assert len(queries) == 7
    # Reading it back: test_import_update_pictures.py.
