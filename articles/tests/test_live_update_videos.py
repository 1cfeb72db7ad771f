"""Videos in live updates: a YouTube or Vimeo address alone in a paragraph of an update becomes a video, as in a
story's body (stored as the embed figure, shown as the play-on-request facade); an address that cannot be
embedded is refused with the reason and nothing written; each facade's ids are its own on the page."""

from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from articles import workflow
from articles.models import LIVE_UPDATES_SHOWN, ArticleEvent, LiveUpdate
from articles.tests.publishing import fresh_cache, story, with_updates  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

BODY_VIDEO = (
    '<p>Residents filmed the convoy.</p><figure data-embed="youtube" data-video-id="dQw4w9WgXcQ">'
    '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">Convoy leaves Baghouz</a></figure>'
)
TYPED = "The spokesman spoke at noon:\n\nhttps://youtu.be/a-b_c1234Z9\n\nMore at https://sdf-press.example/statement."


def page(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    return lxml_html.fromstring(response.content.decode())


def test_a_video_address_alone_in_an_update_becomes_a_video_shown_as_a_facade(client, publisher, page_cache_off):
    article = story(body=BODY_VIDEO)
    workflow.post_live_update(article, by=publisher, text=TYPED)
    update = LiveUpdate.objects.get()
    assert update.text == (
        "<p>The spokesman spoke at noon:</p>"
        '<figure data-embed="youtube" data-video-id="a-b_c1234Z9"><a href="https://www.youtube.com/watch?v=a-b_c1234Z9"'
        ' rel="noopener noreferrer">https://www.youtube.com/watch?v=a-b_c1234Z9</a></figure>'
        '<p>More at <a href="https://sdf-press.example/statement" rel="noopener noreferrer">'
        "https://sdf-press.example/statement</a>.</p>"
    )
    shown = page(client, article.get_absolute_url())
    (facade,) = shown.xpath(f'//article[@id="update-{update.pk}"]//figure[@class="video"]')
    assert facade.get("data-player") == "https://www.youtube-nocookie.com/embed/a-b_c1234Z9"
    assert facade.xpath('.//p[@class="video-title"]')[0].text_content() == "Video on YouTube"
    assert facade.xpath('.//button[@class="video-play"]/@aria-describedby') == [f"update-{update.pk}-video-1-title"]
    assert [s for s in shown.xpath("//script/@src") if "video_embeds" in s]
    # The body's video and the update's have ids of their own.
    ids = Counter(shown.xpath("//@id"))
    assert ids["video-1-title"] == 1 and ids[f"update-{update.pk}-video-1-title"] == 1


def test_a_pinned_video_update_keeps_every_id_on_the_page_unique(client, publisher, page_cache_off):
    article = story(body=BODY_VIDEO)
    workflow.post_live_update(article, by=publisher, text=TYPED)
    workflow.pin_live_update(LiveUpdate.objects.get(), by=publisher)
    shown = page(client, article.get_absolute_url())
    assert len(shown.xpath('//figure[@class="video"]')) == 3  # the body's, the pin's and the update's
    assert [name for name, count in Counter(shown.xpath("//@id")).items() if count > 1] == []


def test_the_correction_form_shows_the_videos_address_and_saving_it_again_changes_nothing(publisher):
    article = story()
    workflow.post_live_update(article, by=publisher, text=TYPED)
    update = LiveUpdate.objects.get()
    assert update.typed_text == (
        "The spokesman spoke at noon:\n\nhttps://www.youtube.com/watch?v=a-b_c1234Z9\n\n"
        "More at https://sdf-press.example/statement."
    )
    with pytest.raises(workflow.WorkflowError, match="Nothing to correct"):
        workflow.edit_live_update(update, by=publisher, text=update.typed_text)


@pytest.mark.parametrize("address", ["https://youtu.be/short", "https://vimeo.com/76979871/NOT-HEX"])
def test_an_update_with_a_video_address_that_cannot_be_embedded_is_refused_with_the_reason(publisher, address):
    article = story()
    with pytest.raises(workflow.WorkflowError, match="looks like a video address but cannot be embedded"):
        workflow.post_live_update(article, by=publisher, text=f"Watch:\n\n{address}")
    assert not LiveUpdate.objects.exists() and not ArticleEvent.objects.exists()
    # Inside a sentence it is a link, as the refusal says.
    workflow.post_live_update(article, by=publisher, text=f"Watch it at {address} now.")
    assert f'<a href="{address}" rel="noopener noreferrer">' in LiveUpdate.objects.get().text


def test_the_desk_keeps_a_refused_video_update_in_its_form_with_the_reason(client, publisher):
    article = story()
    client.force_login(publisher)
    move = reverse("admin:articles_article_move", args=[article.pk, "post_live_update"])
    html = client.post(move, {"text": "Watch:\n\nhttps://youtu.be/short"}, follow=True).content.decode()
    assert "“https://youtu.be/short” looks like a video address but cannot be embedded" in html
    form = lxml_html.fromstring(html).xpath('//form[contains(@action, "post_live_update")]')[0]
    assert form.xpath(".//textarea")[0].text == "Watch:\n\nhttps://youtu.be/short"
    assert not LiveUpdate.objects.exists()


def test_an_older_page_with_a_video_update_loads_the_video_script(client, publisher, page_cache_off):
    article = story()
    workflow.post_live_update(article, by=publisher, text="https://vimeo.com/76979871")
    LiveUpdate.objects.update(posted_at=article.first_published_at)  # set-up only: the oldest update
    with_updates(article, LIVE_UPDATES_SHOWN, start=article.first_published_at + timedelta(minutes=1))
    older = page(client, article.live_updates_url(2))
    assert older.xpath('//figure[@class="video"]/@data-player') == ["https://player.vimeo.com/video/76979871?dnt=1"]
    assert [s for s in older.xpath("//script/@src") if "video_embeds" in s]
    # A page of older updates without videos loads nothing more.
    plain = with_updates(story(), LIVE_UPDATES_SHOWN + 5)
    assert not [s for s in page(client, plain.live_updates_url(2)).xpath("//script/@src") if "video_embeds" in s]
