"""Live updates: a publisher posts short timestamped updates on a published story (`workflow.post_live_update`),
and readers see them newest first on the story page, in its structured data, at once on cached pages too."""

from datetime import UTC, datetime, timedelta

import extruct
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from articles import workflow
from articles.models import Article, ArticleEvent, LiveUpdate
from articles.tests.factories import SectionFactory
from articles.tests.publishing import S, fresh_cache, hidden_stories, page_queries, story  # noqa: F401
from articles.tests.test_caching import any_cache  # noqa: F401 - a fixture: the memory cache, then Redis

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

HOSTILE_TITLE = "<script>alert('title')</script> Shelling resumes"
HOSTILE_TEXT = "Residents fled.<img src=x onerror=alert('text')>\n\n<script>alert('text')</script>"


def post(article, by, capture, text="Shelling resumed at dawn.", title=""):
    with capture(execute=True):
        return workflow.post_live_update(article, by=by, text=text, title=title)


def updates_on(client, article):
    """(id, datetime, title, text) of each live update on the story's page, in the page's order."""
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content)
    found = []
    for update in page.xpath('//section[@class="live-updates"]/article'):
        title = update.xpath(".//h3")
        found.append(
            (
                update.get("id"),
                update.xpath(".//time")[0].get("datetime"),
                title[0].text_content() if title else "",
                update.xpath('.//div[@class="live-update-text"]')[0].text_content(),
            )
        )
    return found


# -- the move ----------------------------------------------------------------------------------------------------


def test_a_publisher_posts_a_live_update_with_one_event(publisher, django_capture_on_commit_callbacks):
    article = story(headline="Battle for Baghouz")
    post(article, publisher, django_capture_on_commit_callbacks, text="First line\nsecond line\n\nNext", title="")
    update = LiveUpdate.objects.get(article=article)
    assert update.text == "<p>First line<br>second line</p><p>Next</p>"
    assert update.posted_by == publisher and update.title == ""
    article.refresh_from_db()
    assert article.last_live_update_at == update.posted_at == article.last_published_at
    event = ArticleEvent.objects.get(article=article)
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "post_live_update",
        S.PUBLISHED,
        S.PUBLISHED,
        publisher,
    )
    assert event.note == "First line second line Next"
    post(article, publisher, django_capture_on_commit_callbacks, title="Ceasefire announced")
    assert ArticleEvent.objects.filter(article=article).first().note == "Ceasefire announced"


def test_reporters_and_editors_cannot_post_and_nothing_is_written(reporter, editor):
    article = story()
    for colleague in (reporter, editor):
        with pytest.raises(workflow.PermissionRefused):
            workflow.post_live_update(article, by=colleague, text="Not mine to post.")
    assert not LiveUpdate.objects.exists() and not ArticleEvent.objects.exists()
    assert Article.objects.get(pk=article.pk).last_live_update_at is None


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.APPROVED, S.SCHEDULED, S.UNPUBLISHED, S.SPIKED])
def test_only_a_published_story_takes_live_updates(publisher, status):
    with pytest.raises(workflow.MoveNotAllowed):
        workflow.post_live_update(story(status), by=publisher, text="Too early, or too late.")
    assert not LiveUpdate.objects.exists() and not ArticleEvent.objects.exists()


# What posting or correcting a live update refuses: (text, title, the refusal's words).
REFUSED_WORDS = [
    ("", "", "Write the text of the live update."),
    ("  \n\n \r\n ", "A title alone", "Write the text of the live update."),
    ("x" * 5001, "", "5000 characters at most; this one has 5001"),
    ("Text", "t" * 201, "200 characters at most"),
]


@pytest.mark.parametrize("text, title, refusal", REFUSED_WORDS)
def test_empty_or_too_long_updates_are_refused(publisher, text, title, refusal):
    article = story()
    with pytest.raises(workflow.WorkflowError, match=refusal):
        workflow.post_live_update(article, by=publisher, text=text, title=title)
    assert not LiveUpdate.objects.exists() and not ArticleEvent.objects.exists()
    assert Article.objects.get(pk=article.pk).last_live_update_at is None


def test_an_update_of_exactly_the_longest_length_is_accepted(publisher):
    workflow.post_live_update(story(), by=publisher, text="x" * 5000)
    assert LiveUpdate.objects.count() == 1


def test_a_story_under_embargo_takes_no_live_update(publisher):
    embargoed = story(embargo_until=timezone.now() + timedelta(hours=2))
    with pytest.raises(workflow.EmbargoInForce):
        workflow.post_live_update(embargoed, by=publisher, text="Too early.")
    assert not LiveUpdate.objects.exists() and not ArticleEvent.objects.exists()


# -- readers -----------------------------------------------------------------------------------------------------


def test_the_story_page_lists_updates_newest_first_with_anchors_and_times(
    client, publisher, django_capture_on_commit_callbacks, page_cache_off
):
    article = story(headline="Battle for Baghouz")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Live updates" not in html
    first = post(article, publisher, django_capture_on_commit_callbacks, text="Fighting at the river.")
    post(article, publisher, django_capture_on_commit_callbacks, text="Ceasefire holds.", title="Ceasefire")
    old, new = LiveUpdate.objects.order_by("pk")
    LiveUpdate.objects.filter(pk=old.pk).update(posted_at=datetime(2026, 3, 1, 6, 30, tzinfo=UTC))
    LiveUpdate.objects.filter(pk=new.pk).update(posted_at=datetime(2026, 3, 1, 7, 45, tzinfo=UTC))
    assert first.last_live_update_at is not None
    assert updates_on(client, article) == [
        (f"update-{new.pk}", "2026-03-01T10:45:00+03:00", "Ceasefire", "Ceasefire holds."),
        (f"update-{old.pk}", "2026-03-01T09:30:00+03:00", "", "Fighting at the river."),
    ]
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<h2 id="live-updates-title">Live updates</h2>' in html
    assert '<time datetime="2026-03-01T09:30:00+03:00">1 March 2026, 09:30 GMT+3</time>' in html
    # Before the body.
    assert html.index("live-updates-title") < html.index('class="article-body"')


def test_the_page_lists_the_newest_hundred_updates(client, publisher, page_cache_off):
    article = story()
    workflow.post_live_update(article, by=publisher, text="Update 0")
    now = timezone.now()
    LiveUpdate.objects.bulk_create(
        LiveUpdate(article=article, posted_at=now + timedelta(minutes=n), text=f"<p>Update {n}</p>")
        for n in range(1, 105)
    )
    shown = updates_on(client, article)
    assert len(shown) == 100
    assert [text for *_, text in (shown[0], shown[-1])] == ["Update 104", "Update 5"]


def test_an_arabic_storys_updates_show_arabic_digits_and_heading(
    client, publisher, django_capture_on_commit_callbacks, page_cache_off
):
    arabic = story(headline="معركة الباغوز", slug="معركة", language="ar")
    post(arabic, publisher, django_capture_on_commit_callbacks, text="استؤنف القصف فجرا.")
    LiveUpdate.objects.update(posted_at=datetime(2026, 3, 1, 6, 30, tzinfo=UTC))
    html = client.get(arabic.get_absolute_url()).content.decode()
    assert '<h2 id="live-updates-title">تحديثات مباشرة</h2>' in html
    assert '<time datetime="2026-03-01T09:30:00+03:00">١ آذار ٢٠٢٦، ٠٩:٣٠ غرينتش+٣</time>' in html
    assert "استؤنف القصف فجرا." in html


def test_hostile_input_is_shown_escaped_and_never_runs(
    client, publisher, django_capture_on_commit_callbacks, page_cache_off
):
    article = story()
    post(article, publisher, django_capture_on_commit_callbacks, text=HOSTILE_TEXT, title=HOSTILE_TITLE)
    html = client.get(article.get_absolute_url()).content.decode()
    # Escaped as text on the page (and as \u003c in the JSON-LD): never a tag.
    assert "<script>alert(" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(" in html and "&lt;script&gt;alert(" in html
    ((_, _, title, text),) = updates_on(client, article)
    assert title == HOSTILE_TITLE
    assert text == "Residents fled.<img src=x onerror=alert('text')><script>alert('text')</script>"
    page = lxml_html.fromstring(html)
    assert not page.xpath('//section[@class="live-updates"]//img | //section[@class="live-updates"]//script')


def test_a_typed_web_address_becomes_a_link_and_nothing_else_does(
    client, publisher, django_capture_on_commit_callbacks, page_cache_off
):
    article = story()
    typed = (
        "Statement: https://sdf-press.example/statement?id=3&lang=en.\n"
        'Map (https://en.wikipedia.org/wiki/Baghouz_(town)), and bid https://x.example/"onmouseover=alert(1)\n\n'
        "Not links: javascript:alert(1), http://localhost/admin, www.example.org and ftp://files.example/x\n"
        "بيان: https://example.com/ar/بيان، وصلنا"
    )
    post(article, publisher, django_capture_on_commit_callbacks, text=typed)
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content.decode())
    links = page.xpath('//div[@class="live-update-text"]//a')
    # Each links to itself, without the punctuation that ends its sentence or the bracket around it.
    assert [(a.get("href"), a.text_content(), a.get("rel")) for a in links] == [
        ("https://sdf-press.example/statement?id=3&lang=en", "https://sdf-press.example/statement?id=3&lang=en",
         "noopener noreferrer"),
        ("https://en.wikipedia.org/wiki/Baghouz_(town)", "https://en.wikipedia.org/wiki/Baghouz_(town)",
         "noopener noreferrer"),
        ("https://x.example/", "https://x.example/", "noopener noreferrer"),
        ("https://example.com/ar/بيان", "https://example.com/ar/بيان", "noopener noreferrer"),
    ]  # fmt: skip
    (text,) = page.xpath('//div[@class="live-update-text"]')
    assert not any(a.get("onmouseover") for a in text.iter())
    assert '"onmouseover=alert(1)' in text.text_content() and "، وصلنا" in text.text_content()
    # The correction form offers the words as typed: saving them again makes the same update.
    update = LiveUpdate.objects.get()
    assert update.typed_text == typed
    assert workflow.live_update_html(update.typed_text) == workflow.live_update_html(typed)


def test_a_hidden_storys_updates_never_appear(client, page_cache_off):
    hidden = hidden_stories()
    for name, article in hidden.items():
        # Set-up only: rows as if updates had been posted while the story was public.
        LiveUpdate.objects.create(article=article, posted_at=timezone.now(), text=f"<p>Secret update: {name}</p>")
        Article.objects.filter(pk=article.pk).update(last_live_update_at=timezone.now())
    for name, article in hidden.items():
        response = client.get(article.get_absolute_url())
        assert response.status_code == (410 if name == "unpublished" else 404), name
        assert b"Secret update" not in response.content


# -- queries, cache, validators ----------------------------------------------------------------------------------


def test_the_story_page_runs_one_more_query_with_updates_whatever_their_number(
    client, places, publisher, page_cache_off
):
    # The story, then its related stories (as test_views pins), then its updates.
    plain, live, busy = (story(regions=[places["baghouz"]]) for _ in range(3))
    workflow.post_live_update(live, by=publisher, text="One update.")
    for n in range(30):
        workflow.post_live_update(busy, by=publisher, text=f"Update {n}", title=f"Key event {n}" if n % 2 else "")
    assert page_queries(client, plain.get_absolute_url()) == 2
    assert page_queries(client, live.get_absolute_url()) == 3
    assert page_queries(client, busy.get_absolute_url()) == 3


def test_a_cached_story_page_shows_a_new_update_at_once(
    client, any_cache, publisher, django_capture_on_commit_callbacks
):
    article = story()
    url = article.get_absolute_url()
    assert "Live updates" not in client.get(url).content.decode()  # now cached without them
    post(article, publisher, django_capture_on_commit_callbacks, text="Shelling resumed at dawn.")
    assert "Shelling resumed at dawn." in client.get(url).content.decode()
    post(article, publisher, django_capture_on_commit_callbacks, text="The bridge is down.")
    html = client.get(url).content.decode()
    assert html.index("The bridge is down.") < html.index("Shelling resumed at dawn.")
    # The listings are purged too: the home page, served from the cache, is rendered again after the move.
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(queries) == 0
    post(article, publisher, django_capture_on_commit_callbacks, text="Third.")
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(queries) > 0


def test_the_updated_time_and_last_modified_move_when_an_update_is_posted(
    client, publisher, django_capture_on_commit_callbacks
):
    article = story(age=timedelta(hours=3))
    url = article.get_absolute_url()
    before = client.get(url)
    assert "Updated" not in before.content.decode()
    post(article, publisher, django_capture_on_commit_callbacks)
    after = client.get(url)
    assert after["Last-Modified"] != before["Last-Modified"]
    modified = datetime.strptime(after["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    posted = LiveUpdate.objects.get().posted_at
    assert modified == posted.replace(microsecond=0)
    assert "Updated" in after.content.decode()
    # A client holding the page from before the update is not told "not modified".
    assert client.get(url, headers={"If-Modified-Since": before["Last-Modified"]}).status_code == 200


# -- structured data ---------------------------------------------------------------------------------------------


def test_a_story_with_updates_is_a_live_blog_posting(client, publisher, page_cache_off):
    article = story(headline="Battle for Baghouz", standfirst="The last pocket.")
    html = client.get(article.get_absolute_url()).content.decode()
    (plain,) = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    assert plain["@type"] == "NewsArticle" and "liveBlogUpdate" not in plain
    workflow.post_live_update(article, by=publisher, text="Fighting <b>at</b> the river.\n\nMore later.")
    workflow.post_live_update(article, by=publisher, text="Ceasefire holds.", title="Ceasefire")
    old, new = LiveUpdate.objects.order_by("pk")
    LiveUpdate.objects.filter(pk=old.pk).update(posted_at=datetime(2026, 3, 1, 6, 30, tzinfo=UTC))
    LiveUpdate.objects.filter(pk=new.pk).update(posted_at=datetime(2026, 3, 1, 7, 45, tzinfo=UTC))
    html = client.get(article.get_absolute_url()).content.decode()
    (data,) = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    assert data["@type"] == "LiveBlogPosting"
    # Every NewsArticle property is kept.
    assert {k for k in plain if k != "dateModified"} <= set(data)
    assert data["headline"] == "Battle for Baghouz" and data["description"] == "The last pocket."
    assert data["coverageStartTime"] == data["datePublished"]
    url = "http://testserver" + article.get_absolute_url()
    assert data["liveBlogUpdate"] == [
        {
            "@type": "BlogPosting",
            "headline": "Ceasefire",
            "datePublished": "2026-03-01T10:45:00+03:00",
            "articleBody": "Ceasefire holds.",
            "url": f"{url}#update-{new.pk}",
        },
        {
            "@type": "BlogPosting",
            "headline": "Fighting <b>at</b> the river. More later.",
            "datePublished": "2026-03-01T09:30:00+03:00",
            "articleBody": "Fighting <b>at</b> the river. More later.",
            "url": f"{url}#update-{old.pk}",
        },
    ]
    assert "coverageEndTime" not in data  # still live: its coverage goes on


def test_a_live_blog_no_longer_live_says_when_its_coverage_ended(client, publisher, page_cache_off):
    article = story(headline="Battle for Baghouz")
    workflow.post_live_update(article, by=publisher, text="Ceasefire holds.")
    ended = datetime(2026, 3, 1, 7, 45, tzinfo=UTC)  # past the window: the story is no longer live
    Article.objects.filter(pk=article.pk).update(last_live_update_at=ended)
    LiveUpdate.objects.update(posted_at=ended)
    html = client.get(article.get_absolute_url()).content.decode()
    (data,) = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    assert data["@type"] == "LiveBlogPosting"
    assert data["coverageEndTime"] == "2026-03-01T10:45:00+03:00"
    assert data["coverageStartTime"] == data["datePublished"]


# -- the desk ----------------------------------------------------------------------------------------------------


def test_a_publisher_posts_through_the_desk_panel(client, publisher):
    article = story(headline="Battle for Baghouz")
    client.force_login(publisher)
    change = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(change).content.decode()
    assert "Post a live update" in page and 'name="text"' in page and "Title (optional)" in page
    move = reverse("admin:articles_article_move", args=[article.pk, "post_live_update"])
    # Refused: the message shows, and what was typed comes back in the form to be fixed.
    refused = client.post(move, {"title": "Bridge <down>", "text": "  "}, follow=True).content.decode()
    assert "Write the text of the live update." in refused
    assert 'value="Bridge &lt;down&gt;"' in refused
    too_long = "The <b>bridge</b> " + "x" * 5000
    refused = client.post(move, {"title": "", "text": too_long}, follow=True).content.decode()
    assert "5000 characters at most" in refused
    assert f">{too_long.replace('<', '&lt;').replace('>', '&gt;')}</textarea>" in refused
    assert not LiveUpdate.objects.exists()
    # Shown once: the next visit has an empty form.
    assert 'value="Bridge &lt;down&gt;"' not in client.get(change).content.decode()
    page = client.post(move, {"title": "Bridge down", "text": "The bridge fell at noon."}, follow=True)
    assert "Post a live update: done." in page.content.decode()
    update = LiveUpdate.objects.get()
    assert (update.article_id, update.title, update.text, update.posted_by) == (
        article.pk,
        "Bridge down",
        "<p>The bridge fell at noon.</p>",
        publisher,
    )


def test_the_desk_form_is_in_arabic_for_an_arabic_desk(client, publisher):
    article = story()
    client.force_login(publisher)
    change = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(change, headers={"Accept-Language": "ar"}).content.decode()
    assert "نشر تحديث مباشر" in page and "العنوان (اختياري)" in page
    assert "التحديث المباشر (سطر فارغ يفصل بين الفقرات)" in page


def test_an_editor_is_not_offered_the_form_and_a_forged_post_changes_nothing(client, editor):
    article = story()
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "Post a live update" not in page and 'name="text"' not in page
    move = reverse("admin:articles_article_move", args=[article.pk, "post_live_update"])
    client.post(move, {"title": "Forged", "text": "Forged update."})
    assert not LiveUpdate.objects.exists() and not ArticleEvent.objects.exists()
    assert Article.objects.get(pk=article.pk).last_live_update_at is None


# -- an open page follows a live story (static/js/live_updates.js; the browser's side is in the browser tests) ---


def follow_markup(client, article):
    """The live-updates section's follow attributes and whether the page loads the following script."""
    response = client.get(article.get_absolute_url())
    page = lxml_html.fromstring(response.content)
    sections = page.xpath('//section[@class="live-updates"]')
    scripts = [src for src in page.xpath("//script/@src") if "live_updates" in src]
    if not sections:
        return None, None, scripts
    return sections[0].get("data-follow-seconds"), sections[0].get("data-new-updates"), scripts


def test_a_live_storys_page_asks_for_new_updates_and_offers_them_in_its_language(
    client, publisher, page_cache_off, settings
):
    settings.NEWSROOM_LIVE_POLL_SECONDS = 45
    english, arabic = story(), story(headline="معركة الباغوز", slug="معركة", language="ar")
    for article in (english, arabic):
        workflow.post_live_update(article, by=publisher, text="Shelling resumed at dawn.")
    seconds, offer, scripts = follow_markup(client, english)
    assert (seconds, offer, len(scripts)) == ("45", "New updates: %(count)s. Show them", 1)
    seconds, offer, scripts = follow_markup(client, arabic)
    assert (seconds, offer, len(scripts)) == ("45", "تحديثات جديدة: %(count)s. اعرضها", 1)


@pytest.mark.parametrize("hours_ago, poll, followed", [(23, 30, True), (25, 30, False), (1, 0, False)])
def test_only_a_story_updated_lately_is_followed_and_polling_can_be_turned_off(
    client, publisher, page_cache_off, settings, hours_ago, poll, followed
):
    settings.NEWSROOM_LIVE_POLL_SECONDS = poll
    article = story()
    workflow.post_live_update(article, by=publisher, text="Shelling resumed at dawn.")
    Article.objects.filter(pk=article.pk).update(last_live_update_at=timezone.now() - timedelta(hours=hours_ago))
    seconds, offer, scripts = follow_markup(client, article)
    assert (seconds is not None, offer is not None, bool(scripts)) == (followed, followed, followed)
    # The updates themselves are on the page either way, and the Live label follows the window, not polling.
    assert [text for *_, text in updates_on(client, article)] == ["Shelling resumed at dawn."]
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    assert bool(page.xpath('//p[@class="live-label"]')) == (hours_ago < 24)


def test_a_story_without_updates_loads_no_following_script(client, page_cache_off):
    assert follow_markup(client, story()) == (None, None, [])


def test_the_desks_preview_of_a_live_story_shows_its_updates_but_does_not_follow_them(client, publisher):
    article = story()
    workflow.post_live_update(article, by=publisher, text="Shelling resumed at dawn.")
    client.force_login(publisher)
    response = client.get(reverse("desk:preview", args=[article.pk]))
    page = lxml_html.fromstring(response.content)
    assert page.xpath('//section[@class="live-updates"]//div[@class="live-update-text"]')[0].text_content() == (
        "Shelling resumed at dawn."
    )
    assert page.xpath('//section[@class="live-updates"]/@data-follow-seconds') == []
    assert not [src for src in page.xpath("//script/@src") if "live_updates" in src]


# -- lists label a live story -------------------------------------------------------------------------------------


def labels_on(client, address):
    """{headline: label} of every story listed at `address` ("" for a story without a "Live" label), and the
    screen reader's text of the headline links that carry one."""
    page = lxml_html.fromstring(client.get(address).content)
    labels, spoken = {}, []
    for item in page.xpath('//li[contains(@class, "story")][.//h3]'):
        link = item.xpath(".//h3/a")[0]
        label = item.xpath('.//p[@class="live-label"]')
        hidden = link.xpath('./span[@class="visually-hidden"]')
        headline = link.text_content().removeprefix(hidden[0].text_content() if hidden else "")
        labels[headline] = label[0].text_content() if label else ""
        if label:
            spoken.append(link.text_content())
    return labels, spoken


HEADLINES = ("Battle for Baghouz", "Siege of Hajin", "Water prices rise")


@pytest.mark.parametrize("where", ["home", "section", "place"])
def test_lists_label_a_story_live_while_its_newest_update_is_recent(client, places, publisher, page_cache_off, where):
    section = SectionFactory()
    live, old, plain = (story(headline=h, regions=[places["baghouz"]], section=section) for h in HEADLINES)
    for article in (live, old):
        workflow.post_live_update(article, by=publisher, text="Shelling resumed at dawn.")
    Article.objects.filter(pk=old.pk).update(last_live_update_at=timezone.now() - timedelta(hours=25))
    address = {"home": "/", "section": section.get_absolute_url(), "place": places["baghouz"].get_absolute_url()}
    labels, spoken = labels_on(client, address[where])
    assert [labels.get(headline) for headline in HEADLINES] == ["Live", "", ""]
    assert spoken == ["Live: Battle for Baghouz"]


def updated_times(client, address):
    """{headline link text: (datetime, text) of its "Updated" time, or None} of every story listed at `address`."""
    page = lxml_html.fromstring(client.get(address).content)
    found = {}
    for item in page.xpath('//li[contains(@class, "story")][.//h3]'):
        time = item.xpath('.//p[@class="meta"]/span[@class="updated"]/time')
        found[item.xpath(".//h3/a")[0].text_content()] = (time[0].get("datetime"), time[0].text) if time else None
    return found


def test_lists_give_a_live_story_the_time_of_its_newest_update_and_no_other_story_one(
    client, places, publisher, page_cache_off
):
    live, old, plain = (story(headline=h, regions=[places["baghouz"]]) for h in HEADLINES)
    for article in (live, old):
        workflow.post_live_update(article, by=publisher, text="Shelling resumed at dawn.")
    Article.objects.filter(pk=old.pk).update(last_live_update_at=timezone.now() - timedelta(hours=25))
    moment = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=2)
    Article.objects.filter(pk=live.pk).update(last_live_update_at=moment, last_published_at=moment)
    local = timezone.localtime(moment)  # in the newsroom's zone, Baghdad's
    expected = (local.isoformat(), f"{local.day} {local:%B, %H:%M}")
    for address in ("/", places["baghouz"].get_absolute_url(), "/search/?q=baghouz"):
        times = updated_times(client, address)
        assert times["Live: Battle for Baghouz"] == expected, address
        assert times["Siege of Hajin"] is None and times["Water prices rise"] is None, address


def test_the_arabic_edition_labels_a_live_story_in_arabic(client, publisher, page_cache_off):
    section = SectionFactory()
    arabic = story(headline="معركة الباغوز", slug="معركة", language="ar", section=section)
    workflow.post_live_update(arabic, by=publisher, text="استؤنف القصف فجرا.")
    labels, spoken = labels_on(client, "/ar/")
    assert labels["معركة الباغوز"] == "مباشر"
    assert spoken == ["مباشر: معركة الباغوز"]
    [(_, text)] = updated_times(client, "/ar/").values()
    assert not any(digit in text for digit in "0123456789")  # Arabic-Indic digits, after "آخر تحديث"
    assert "آخر تحديث <time" in client.get("/ar/").content.decode()


def test_a_live_label_costs_a_list_no_query(client, places, publisher, page_cache_off):
    section = SectionFactory()
    stories = [story(headline=h, regions=[places["baghouz"]], section=section) for h in HEADLINES]
    addresses = ["/", section.get_absolute_url(), places["baghouz"].get_absolute_url()]
    before = [page_queries(client, address) for address in addresses]
    for article in stories:
        workflow.post_live_update(article, by=publisher, text="Shelling resumed at dawn.")
    assert [page_queries(client, address) for address in addresses] == before
    assert labels_on(client, addresses[1])[0] == dict.fromkeys(HEADLINES, "Live")


def test_the_related_box_labels_a_live_story_at_no_query(client, places, publisher, page_cache_off):
    reader = story(headline="Aid reaches Hajin", regions=[places["baghouz"]])
    live = story(headline=HEADLINES[0], regions=[places["baghouz"]])
    workflow.post_live_update(live, by=publisher, text="Shelling resumed at dawn.")
    one_related = page_queries(client, reader.get_absolute_url())
    old, plain = (story(headline=h, regions=[places["baghouz"]]) for h in HEADLINES[1:])
    workflow.post_live_update(old, by=publisher, text="Shelling resumed at dawn.")
    Article.objects.filter(pk=old.pk).update(last_live_update_at=timezone.now() - timedelta(hours=25))
    cache.clear()  # the place's list of newest stories, cached by the first view, now holds three more
    # The label reads a column the related box loads: no query per related story, live or not.
    assert page_queries(client, reader.get_absolute_url()) == one_related
    page = lxml_html.fromstring(client.get(reader.get_absolute_url()).content)
    related = page.xpath('//section[@class="related"]//li')
    labels = {
        item.xpath(".//a")[0].text_content(): [
            label.text_content() for label in item.xpath('.//*[@class="live-label"]')
        ]
        for item in related
    }
    assert labels == {"Live: Battle for Baghouz": ["Live"], "Siege of Hajin": [], "Water prices rise": []}


@pytest.mark.parametrize("hours_ago, label", [(1, "Live"), (25, None)])
def test_a_live_storys_own_page_carries_the_label_while_it_is_live(client, publisher, page_cache_off, hours_ago, label):
    article = story(headline="Battle for Baghouz")
    workflow.post_live_update(article, by=publisher, text="Shelling resumed at dawn.")
    Article.objects.filter(pk=article.pk).update(last_live_update_at=timezone.now() - timedelta(hours=hours_ago))
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    shown = page.xpath('//header[@class="article-header"]/p[@class="live-label"]')
    assert (shown[0].text_content() if shown else None) == label
    assert page.xpath("//h1")[0].text_content() == (f"{label}: Battle for Baghouz" if label else "Battle for Baghouz")
