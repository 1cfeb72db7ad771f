"""Videos in story bodies: recognised addresses only, strict ids, a desk that embeds a pasted address, and public
pages that load nothing from the video host until the reader plays (the browser side is test_embeds_browser.py)."""

import json
import re

import feedparser
import pytest
from django.core.management import call_command
from django.urls import reverse

from articles import embeds
from articles.models import Article, StaffProfile
from articles.models.fields import sanitise_html
from articles.search import SearchQuery, search
from articles.tests.desk_forms import form_data
from articles.tests.factories import ArticleFactory
from articles.tests.publishing import fresh_cache, story  # noqa: F401
from articles.tests.test_security import inline_code

YOUTUBE = '<figure data-embed="youtube" data-video-id="dQw4w9WgXcQ">'
STORED = (
    '<p>Residents filmed the convoy.</p><figure data-embed="youtube" data-video-id="dQw4w9WgXcQ">'
    '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">Convoy leaves Baghouz</a>'
    "<figcaption>Filmed by our reporter on Saturday.</figcaption></figure><p>The road reopened.</p>"
)


# --- Addresses ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, host, video_id",
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s", "youtube", "dQw4w9WgXcQ"),
        ("https://m.youtube.com/watch?feature=share&v=a-b_c1234Z9", "youtube", "a-b_c1234Z9"),
        ("http://youtu.be/dQw4w9WgXcQ?si=abc", "youtube", "dQw4w9WgXcQ"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("HTTPS://WWW.YOUTUBE.COM/watch?v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "vimeo", "76979871"),
        ("https://www.vimeo.com/76979871/", "vimeo", "76979871"),
        # The players' own addresses, as the hosts' embed codes give them.
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30", "youtube", "dQw4w9WgXcQ"),
        ("https://player.vimeo.com/video/76979871?badge=0&autopause=0", "vimeo", "76979871"),
    ],
)
def test_youtube_and_vimeo_addresses_are_recognised_with_their_id(url, host, video_id):
    assert embeds.video_in(url) == embeds.Video(host, video_id)


@pytest.mark.parametrize(
    "url",
    [
        "https://vimeo.com/76979871/abcdef1234",
        "https://vimeo.com/76979871/abcdef1234/?share=copy",
        "https://player.vimeo.com/video/76979871?h=abcdef1234",
        "https://player.vimeo.com/video/76979871?badge=0&h=abcdef1234&autopause=0",
    ],
)
def test_an_unlisted_vimeo_video_is_recognised_with_its_private_hash_which_its_player_and_link_keep(url):
    video = embeds.video_in(url)
    assert video == embeds.Video("vimeo", "76979871", "abcdef1234")
    assert video.player_url == "https://player.vimeo.com/video/76979871?h=abcdef1234&dnt=1"
    assert video.watch_url == "https://vimeo.com/76979871/abcdef1234"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXc",  # ten characters
        "https://www.youtube.com/watch?v=dQw4w9WgXcQQ",  # twelve
        "https://www.youtube.com/watch?v=dQw4w9WgXc%22",
        "https://youtu.be/dQw4w9WgX'Q",
        "https://www.youtube.com/channel/UCabcdefghij",
        "https://www.youtube.com/@newsroom",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://evil.example/youtu.be/dQw4w9WgXcQ",
        "https://youtube.com@evil.example/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)//youtu.be/dQw4w9WgXcQ",
        "ftp://youtu.be/dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/watch?v=dQw4w9WgXcQ",  # the player host has no watch pages
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXc",
        "https://vimeo.com/channels/staffpicks/76979871",
        "https://vimeo.com/76979871/ABCDEF1234",  # a private hash is lower-case hexadecimal
        "https://vimeo.com/76979871/abc",  # too short for one
        "https://vimeo.com/76979871/abcdef1234/extra",
        "https://vimeo.com/0123",
        "https://vimeo.com/1234567890123456",
        "https://player.vimeo.com/76979871",
        "https://player.vimeo.com/video/76979871?h=abcdef1234&h=0123456789",  # which one?
        "https://player.vimeo.com/video/76979871?h=abcdef1234%22",
        "https://player.vimeo.com.evil.example/video/76979871",
        "not an address",
        "https://www.youtube.com:99999/watch?v=dQw4w9WgXcQ",  # no such port: urlsplit refuses it
        "https://[www.youtube.com/watch?v=dQw4w9WgXcQ",  # an unclosed IPv6 bracket
    ],
)
def test_other_addresses_are_not_videos(url):
    assert embeds.video_in(url) is None


def test_players_are_the_cookie_less_youtube_and_vimeo_without_tracking():
    assert embeds.Video("youtube", "dQw4w9WgXcQ").player_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert embeds.Video("vimeo", "76979871").player_url == "https://player.vimeo.com/video/76979871?dnt=1"


# --- The sanitiser ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        STORED,
        '<figure data-embed="vimeo" data-video-id="76979871"><a href="https://vimeo.com/76979871">A</a></figure>',
        '<figure data-embed="vimeo" data-video-id="76979871" data-video-hash="abcdef1234">'
        '<a href="https://vimeo.com/76979871/abcdef1234">An unlisted video</a></figure>',
    ],
)
def test_the_sanitiser_keeps_a_valid_embed_as_it_is(markup):
    clean = sanitise_html(markup)
    assert clean == re.sub(r'(<a href="[^"]*")', r'\1 rel="noopener noreferrer"', markup)
    assert sanitise_html(str(clean)) == clean


@pytest.mark.parametrize(
    "figure",
    [
        '<figure data-embed="javascript:alert(1)" data-video-id="dQw4w9WgXcQ">',
        '<figure data-embed="youtube" data-video-id="javascript:alert(1)">',
        '<figure data-embed="youtube" data-video-id="dQw4w9WgXcQ&quot; onclick=&quot;alert(1)">',
        "<figure data-embed='youtube' data-video-id='dQw4w9WgX\"Q'>",
        '<figure data-embed="youtube" data-video-id="dQw4w9WgXcQdQw4w9WgXcQ">',
        '<figure data-embed="youtube" data-video-id="../../evil">',
        '<figure data-embed="vimeo" data-video-id="dQw4w9WgXcQ">',
        '<figure data-embed="dailymotion" data-video-id="x7tgad0">',
        '<figure data-embed="evil.example" data-video-id="76979871">',
        '<figure data-embed="vimeo" data-video-id="1234567890123456789">',
        '<figure data-embed="youtube">',
        '<figure data-video-id="dQw4w9WgXcQ">',
        '<figure data-embed="YOUTUBE" data-video-id="dQw4w9WgXcQ">',
        # A private hash only for Vimeo, only hexadecimal, never alone.
        '<figure data-embed="youtube" data-video-id="dQw4w9WgXcQ" data-video-hash="abcdef1234">',
        '<figure data-embed="vimeo" data-video-id="76979871" data-video-hash="abc&quot; onclick=&quot;x()">',
        '<figure data-embed="vimeo" data-video-id="76979871" data-video-hash="">',
        '<figure data-video-hash="abcdef1234">',
    ],
)
def test_the_sanitiser_drops_embed_attributes_that_are_not_valid(figure):
    clean = sanitise_html(f'{figure}<a href="https://youtu.be/dQw4w9WgXcQ">Clip</a></figure>')
    assert "data-embed" not in clean and "data-video-id" not in clean and "onclick" not in clean
    assert "data-video-hash" not in clean
    assert clean.startswith("<figure><a ") and "Clip" in clean
    assert sanitise_html(str(clean)) == clean


def test_the_sanitiser_still_removes_iframes_scripts_and_handlers_around_an_embed():
    clean = sanitise_html(
        '<figure data-embed="youtube" data-video-id="dQw4w9WgXcQ" onclick="x()" class="big" dir="rtl">'
        '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe><script>x()</script>'
        '<a href="javascript:alert(1)">Clip</a></figure>'
    )
    assert clean == (
        '<figure data-embed="youtube" data-video-id="dQw4w9WgXcQ" dir="rtl">'
        '<a rel="noopener noreferrer">Clip</a></figure>'
    )


def test_an_invalid_embed_keeps_its_writing_direction():
    clean = sanitise_html('<figure dir="rtl" data-embed="vimeo" data-video-id="abc" lang="ar">نص</figure>')
    assert clean == '<figure dir="rtl" lang="ar">نص</figure>'


# --- The desk -----------------------------------------------------------------------------------------------


@pytest.fixture
def draft(reporter):
    return ArticleFactory(created_by=reporter, headline="Convoy leaves Baghouz", body="<p>Old text.</p>")


def save_body(client, user, article, body):
    client.force_login(user)
    return client.post(reverse("admin:articles_article_change", args=[article.pk]), form_data(article, body=body))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "pasted, title",
    [
        ("<p>https://youtu.be/dQw4w9WgXcQ</p>", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        (
            "<p>&nbsp;https://www.youtube.com/shorts/dQw4w9WgXcQ&nbsp;</p>",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        (
            '<p><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=3">'
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=3</a></p>",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        ('<p><a href="https://youtu.be/dQw4w9WgXcQ">Convoy &amp; crowd</a></p>', "Convoy &amp; crowd"),
    ],
)
def test_a_paragraph_holding_only_a_video_address_becomes_an_embed_on_save(client, reporter, draft, pasted, title):
    response = save_body(client, reporter, draft, f"<p>Residents filmed the convoy.</p>{pasted}<p>The road.</p>")
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.body == (
        "<p>Residents filmed the convoy.</p>"
        '<figure data-embed="youtube" data-video-id="dQw4w9WgXcQ"><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"'
        f' rel="noopener noreferrer">{title}</a></figure><p>The road.</p>'
    )


@pytest.mark.django_db
def test_a_vimeo_address_in_an_arabic_paragraph_keeps_its_direction(client, reporter, draft):
    save_body(client, reporter, draft, '<p dir="rtl">https://vimeo.com/76979871</p>')
    draft.refresh_from_db()
    assert draft.body.startswith('<figure dir="rtl" data-embed="vimeo" data-video-id="76979871">')


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        "<p>Watch https://youtu.be/dQw4w9WgXcQ for the full interview.</p>",
        '<p>Watch <a href="https://youtu.be/dQw4w9WgXcQ">the interview</a> in full.</p>',
        "<p>https://www.youtube.com/@newsroom</p>",
        "<p>https://example.org/watch?v=dQw4w9WgXcQ</p>",
        '<blockquote><p><a href="https://www.example.org/">https://www.example.org/</a></p></blockquote>',
    ],
)
def test_a_video_address_inside_a_sentence_and_other_addresses_stay_plain_links(client, reporter, draft, body):
    response = save_body(client, reporter, draft, body)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert "data-embed" not in draft.body and "<figure" not in draft.body
    assert draft.body == sanitise_html(body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXc",
        "https://youtu.be/dQw4w9WgXcQ-too-long",
        "https://vimeo.com/76979871/ABCDEF1234",
        "https://player.vimeo.com/video/76979871?h=not-a-hash",
    ],
)
def test_a_video_address_that_cannot_be_embedded_is_refused_with_the_reason_and_the_text_kept(
    client, reporter, draft, address
):
    typed = f"<p>New first paragraph.</p><p>{address}</p>"
    response = save_body(client, reporter, draft, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"“{address}” looks like a video address but cannot be embedded" in page
    assert "11-character video id" in page
    assert "New first paragraph." in response.context["adminform"].form["body"].value()
    draft.refresh_from_db()
    assert draft.body == "<p>Old text.</p>"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "pasted",
    [
        "<p>https://vimeo.com/76979871/abcdef1234</p>",
        '<p><a href="https://player.vimeo.com/video/76979871?h=abcdef1234&amp;badge=0">Unlisted clip</a></p>',
    ],
)
def test_an_unlisted_vimeo_video_is_saved_with_its_hash_and_its_facade_plays_it(client, reporter, draft, pasted):
    response = save_body(client, reporter, draft, f"<p>Residents filmed the convoy.</p>{pasted}")
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert '<figure data-embed="vimeo" data-video-id="76979871" data-video-hash="abcdef1234">' in draft.body
    assert '<a href="https://vimeo.com/76979871/abcdef1234" rel="noopener noreferrer">' in draft.body
    facade = str(embeds.video_facades(draft.body, "en"))
    assert 'data-player="https://player.vimeo.com/video/76979871?h=abcdef1234&amp;dnt=1"' in facade
    assert '<a href="https://vimeo.com/76979871/abcdef1234" rel="noopener noreferrer">Watch on Vimeo</a>' in facade


@pytest.mark.django_db
def test_the_refusal_is_in_arabic_for_a_reporter_who_works_in_arabic(client, reporter, draft):
    StaffProfile.objects.remember_language(reporter, "ar")
    response = save_body(client, reporter, draft, "<p>https://youtu.be/short</p>")
    assert response.status_code == 200
    assert "يبدو «https://youtu.be/short» عنوان فيديو لكن لا يمكن تضمينه" in response.content.decode()


# --- Public pages -------------------------------------------------------------------------------------------


@pytest.fixture
def csp_on(settings):
    settings.NEWSROOM_CSP = True


@pytest.fixture
def video_story(db, fresh_cache):  # noqa: F811
    return story(headline="Convoy leaves Baghouz", body=STORED)


def article_html(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_public_page_shows_a_facade_with_title_caption_play_button_and_plain_link(client, video_story):
    html = article_html(client, video_story)
    figure = re.search(r'<figure class="video"[\s\S]*?</figure>', html).group(0)
    assert 'data-player="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in figure
    assert 'data-frame-title="YouTube: Convoy leaves Baghouz"' in figure
    assert '<p class="video-title" id="video-1-title">Convoy leaves Baghouz</p>' in figure
    assert (
        '<button type="button" class="video-play" aria-describedby="video-1-title" hidden>'
        "Play video (loads YouTube, which may set cookies)</button>"
    ) in figure
    assert (
        '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="noopener noreferrer">Watch on YouTube</a>' in figure
    )
    assert "<figcaption>Filmed by our reporter on Saturday.</figcaption>" in figure
    assert "<iframe" not in html
    assert html.count('src="/static/js/video_embeds.js"') == 1


def foreign_hosts(html):
    """The hosts other than ours that `html` names, once each (share links, ogp.me's prefix, schema.org …)."""
    return set(re.findall(r"(?:https?:)?//([a-z0-9.-]+)", html, re.IGNORECASE)) - {"testserver"}


def test_the_video_adds_no_third_party_address_outside_the_facades_link_and_data(client, video_story):
    html = article_html(client, video_story)
    twin = article_html(client, story(headline="Convoy leaves Baghouz", body="<p>Residents filmed the convoy.</p>"))
    # The facade's data attributes and its plain link may name the host; nothing else, and nothing that loads.
    rest = re.sub(r'\sdata-[a-z-]+="[^"]*"', "", html)
    rest = rest.replace('<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="noopener noreferrer">', "<a>", 1)
    assert foreign_hosts(html) - foreign_hosts(twin) == {"www.youtube.com", "www.youtube-nocookie.com"}
    assert foreign_hosts(rest) == foreign_hosts(twin)
    for tag in re.findall(r"<(?:script|link|img|source|iframe|video|audio|object|embed)\b[^>]*>", html):
        assert not re.search(r'(?:src|href|srcset|data)="(?:https?:)?//(?!testserver)', tag), tag


def test_a_page_without_a_video_loads_no_video_script(client, db, fresh_cache):  # noqa: F811
    html = article_html(client, story(headline="Plain story"))
    assert "video_embeds.js" not in html and "video-facade" not in html


def test_the_arabic_facade_is_worded_in_arabic_and_right_to_left(client, db, fresh_cache):  # noqa: F811
    arabic = story(
        headline="قافلة تغادر الباغوز",
        slug="قافلة",
        language="ar",
        body=(
            '<figure data-embed="vimeo" data-video-id="76979871">'
            '<a href="https://vimeo.com/76979871">قافلة تغادر</a></figure>'
        ),
    )
    html = article_html(client, arabic)
    assert '<article class="article" lang="ar" dir="rtl">' in html
    assert "تشغيل الفيديو (يُحمِّل فيميو، وقد يضع ملفات تعريف الارتباط)" in html
    assert ">شاهد الفيديو على فيميو</a>" in html
    assert 'data-frame-title="فيميو: قافلة تغادر"' in html
    assert 'data-player="https://player.vimeo.com/video/76979871?dnt=1"' in html


def test_an_embed_whose_link_text_is_its_address_is_titled_by_its_host(client, db, fresh_cache):  # noqa: F811
    body = sanitise_html(embeds.embed_video_paragraphs("<p>https://youtu.be/dQw4w9WgXcQ</p>")[0])
    html = article_html(client, story(headline="Clip", body=body))
    assert '<p class="video-title" id="video-1-title">Video on YouTube</p>' in html
    assert 'data-frame-title="Video on YouTube"' in html


def test_the_public_policy_frames_only_the_two_players_and_the_page_has_no_inline_code(client, csp_on, video_story):
    response = client.get(video_story.get_absolute_url())
    csp = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert csp["frame-src"] == "https://www.youtube-nocookie.com https://player.vimeo.com"
    assert csp["script-src"] == "'self'" and csp["img-src"] == "'self' data:" and csp["connect-src"] == "'self'"
    assert csp["default-src"] == "'self'" and csp["style-src"] == "'self'" and csp["font-src"] == "'self'"
    assert not any("youtube" in value or "vimeo" in value for name, value in csp.items() if name != "frame-src")
    found = inline_code(response.content.decode())
    assert (found.scripts, found.styles, found.handlers) == ([], [], [])


def test_the_desk_preview_may_frame_the_players_too(client, csp_on, editor, video_story):
    client.force_login(editor)
    response = client.get(reverse("desk:preview", args=[video_story.pk]))
    assert response.status_code == 200
    csp = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert csp["frame-src"] == "'self' https://www.youtube-nocookie.com https://player.vimeo.com"
    assert 'data-player="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in response.content.decode()


def test_an_article_page_with_a_video_runs_the_queries_of_one_without(
    client, video_story, page_cache_off, django_assert_num_queries
):
    plain = story(headline="Plain story")
    for article in (plain, video_story):
        client.get(article.get_absolute_url())  # the site-wide fragments and the related stories, cached
        with django_assert_num_queries(1):  # the story with its tags, authors and corrections, in one row
            assert client.get(article.get_absolute_url()).status_code == 200


# --- Everything else reads the video as its link and caption ------------------------------------------------


@pytest.mark.parametrize("feed", ["/feeds/latest/rss/", "/feeds/latest/atom/"])
def test_feeds_show_the_video_as_its_title_and_caption_never_a_player(client, db, fresh_cache, feed):  # noqa: F811
    story(headline="Convoy leaves Baghouz", standfirst="", body=STORED)
    response = client.get(feed)
    text = response.content.decode()
    assert "<iframe" not in text and "&lt;iframe" not in text and "nocookie" not in text and "data-embed" not in text
    entry = feedparser.parse(response.content).entries[0]
    assert entry.summary.startswith(
        "Residents filmed the convoy. Convoy leaves Baghouz Filmed by our reporter on Saturday. The road reopened."
    )


@pytest.mark.django_db
def test_text_description_and_word_count_read_the_video_as_its_title_and_caption():
    article = ArticleFactory(standfirst="", body=STORED)
    assert article.text == (
        "Residents filmed the convoy. Convoy leaves Baghouz Filmed by our reporter on Saturday. The road reopened."
    )
    assert article.word_count == 16


@pytest.mark.django_db
def test_structured_data_carries_no_player_and_no_video_object(client, video_story):
    html = article_html(client, video_story)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    items = data.get("@graph", [data])
    article = next(item for item in items if "NewsArticle" in str(item.get("@type")))
    assert "video" not in article
    assert "nocookie" not in json.dumps(data) and "<figure" not in json.dumps(data)


def test_search_finds_a_story_by_its_video_title_and_caption(db, fresh_cache):  # noqa: F811
    article = story(headline="Road news", standfirst="", body=STORED)
    for words in ("convoy leaves", "reporter Saturday"):
        assert [a.pk for a in search(SearchQuery(text=words, language="en")).articles] == [article.pk]


def test_the_ninjs_export_keeps_the_embed_markup_as_stored(db, tmp_path):
    article = story(headline="Convoy leaves Baghouz", body=STORED)
    out = tmp_path / "export.json"
    call_command("export_articles", str(out), "--format", "ninjs", stdout=(tmp_path / "log").open("w"))
    body = json.loads(out.read_text(encoding="utf-8"))[0]["bodies"][0]
    assert body["value"] == Article.objects.get(pk=article.pk).body
    assert body["value"].startswith("<p>Residents filmed the convoy.</p>" + YOUTUBE)
    assert body["wordcount"] == 16
