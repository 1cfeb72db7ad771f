"""A long live blog's older updates: the story page shows the newest 100 and links page 2, each older page the
next 100 (`/article/<id>/<slug>/updates/<n>/`), answering as the story does for hidden, withdrawn and renamed
stories, purged with the story when an update is posted, corrected or removed."""

from datetime import UTC, datetime

import extruct
import pytest
from lxml import html as lxml_html

from articles import workflow
from articles.models import Article, LiveUpdate
from articles.tests.publishing import fresh_cache, hidden_stories, page_queries, story, with_updates  # noqa: F401
from articles.tests.test_caching import any_cache  # noqa: F401 - a fixture: the memory cache, then Redis

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def blog():
    """A published story with 250 live updates."""
    return with_updates(story(headline="Battle for Baghouz"), 250)


def page_of(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    return lxml_html.fromstring(response.content)


def shown(page):
    """The numbers of the updates a page shows, in its order ("Update 12" is 12)."""
    texts = page.xpath('//section[@class="live-updates"]/article[@class="live-update"]//div[@class="live-update-text"]')
    return [int(text.text_content().removeprefix("Update ")) for text in texts]


def links(page, rel):
    return [(a.get("href"), a.text_content()) for a in page.xpath(f'//main//a[@rel="{rel}"]')]


def newest_first(top, bottom):
    return list(range(top, bottom - 1, -1))


# -- the pages ---------------------------------------------------------------------------------------------------


def test_the_story_shows_the_newest_hundred_and_links_the_older_ones(client, blog, page_cache_off):
    page = page_of(client, blog.get_absolute_url())
    assert shown(page) == newest_first(249, 150)
    assert links(page, "next") == [(blog.live_updates_url(2), "Older updates")]
    assert page.xpath('//section[@class="live-updates"]//a[@rel="next"]')  # the section ends with it
    # The live-follow script reads data-all-updates: this section does not hold every update.
    (section,) = page.xpath('//section[@class="live-updates"]')
    assert section.get("data-follow-seconds") and section.get("data-all-updates") is None


def test_page_two_shows_the_next_hundred_with_links_both_ways(client, blog, page_cache_off):
    address = f"{blog.get_absolute_url()}updates/2/"
    assert blog.live_updates_url(2) == address
    page = page_of(client, address)
    assert shown(page) == newest_first(149, 50)
    assert page.xpath("//h1/a")[0].get("href") == blog.get_absolute_url()
    assert page.xpath("//h1")[0].text_content() == "Battle for Baghouz"
    assert page.xpath('//section[@class="live-updates"]/h2')[0].text_content() == "Older live updates, page 2 of 3"
    assert page.xpath("//title")[0].text_content() == "Older live updates, page 2 of 3 — Battle for Baghouz — Newsroom"
    # Newer: the story's own page, at its updates; older: page 3.
    assert links(page, "prev") == [(f"{blog.get_absolute_url()}#live-updates-title", "Newer updates")]
    assert links(page, "next") == [(blog.live_updates_url(3), "Older updates")]
    # Each update at its anchor, as on the story page; nothing of the story's following script.
    first = LiveUpdate.objects.get(article=blog, text="<p>Update 149</p>")
    assert page.xpath("//article[@class='live-update']")[0].get("id") == f"update-{first.pk}"
    assert not [src for src in page.xpath("//script/@src") if "live_updates" in src]
    assert page.xpath('//section[@class="live-updates"]/@data-follow-seconds') == []
    assert page.xpath('//link[@rel="canonical"]/@href') == [f"http://testserver{address}"]
    assert page.xpath('//meta[@name="robots"]/@content') == ["noindex, follow"]


def test_the_last_page_shows_the_oldest_and_links_no_further(client, blog, page_cache_off):
    page = page_of(client, blog.live_updates_url(3))
    assert shown(page) == newest_first(49, 0)
    assert links(page, "prev") == [(blog.live_updates_url(2), "Newer updates")]
    assert links(page, "next") == []
    assert page.xpath('//section[@class="live-updates"]/h2')[0].text_content() == "Older live updates, page 3 of 3"


def first_updates_link(page):
    return [(a.get("href"), a.text_content()) for a in page.xpath('//nav[@class="pagination"]/a[not(@rel)]')]


def test_a_long_blogs_pages_count_what_readers_see_and_link_where_the_story_began(client, publisher, page_cache_off):
    article = with_updates(story(), 1150)
    heading = '//section[@class="live-updates"]/h2'
    for number in (2, 10):
        page = page_of(client, article.live_updates_url(number))
        assert page.xpath(heading)[0].text_content() == f"Older live updates, page {number} of 12"
        assert first_updates_link(page) == [(article.live_updates_url(12), "The first updates")]
        assert page.xpath('//nav[@class="pagination"]/a')[-1].text_content() == "The first updates"
    for number in (11, 12):  # a step from the first updates, or on them: "Older updates" is enough
        assert first_updates_link(page_of(client, article.live_updates_url(number))) == []
    assert shown(page_of(client, article.live_updates_url(12))) == newest_first(49, 0)
    # Removed updates are not counted: 1,100 left make 11 pages.
    for update in LiveUpdate.objects.filter(article=article).order_by("posted_at")[:50]:
        workflow.remove_live_update(update, by=publisher, note="Duplicate")
    page = page_of(client, article.live_updates_url(2))
    assert page.xpath(heading)[0].text_content() == "Older live updates, page 2 of 11"
    assert first_updates_link(page) == [(article.live_updates_url(11), "The first updates")]
    assert client.get(article.live_updates_url(12)).status_code == 404


def test_an_arabic_blogs_first_updates_link_is_in_arabic(client, page_cache_off):
    arabic = with_updates(story(headline="معركة الباغوز", slug="معركة", language="ar"), 350)
    page = page_of(client, arabic.live_updates_url(2))
    assert page.xpath('//section[@class="live-updates"]/h2')[0].text_content() == "تحديثات مباشرة أقدم، الصفحة ٢ من ٤"
    assert first_updates_link(page) == [(arabic.live_updates_url(4), "أولى التحديثات")]


def test_an_older_update_shows_as_on_the_story_page_with_its_title_and_correction(
    client, blog, publisher, django_capture_on_commit_callbacks, page_cache_off
):
    update = LiveUpdate.objects.get(article=blog, text="<p>Update 120</p>")
    LiveUpdate.objects.filter(pk=update.pk).update(posted_at=datetime(2026, 3, 1, 6, 30, tzinfo=UTC))
    # Now the oldest update, so the last on page 3.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.edit_live_update(update, by=publisher, text="Update 120, corrected.", title="Bridge <down>")
    LiveUpdate.objects.filter(pk=update.pk).update(edited_at=datetime(2026, 3, 1, 8, 5, tzinfo=UTC))
    html = client.get(blog.live_updates_url(3)).content.decode()
    page = lxml_html.fromstring(html)
    (item,) = page.xpath(f'//article[@id="update-{update.pk}"]')
    assert item.get("aria-labelledby") == f"update-{update.pk}-title"
    assert item.xpath(".//h3")[0].text_content() == "Bridge <down>"
    assert "Bridge &lt;down&gt;" in html
    assert '<time datetime="2026-03-01T09:30:00+03:00">1 March 2026, 09:30 GMT+3</time>' in html
    assert item.xpath('.//span[@class="live-update-edited"]')[0].text_content() == "Edited 11:05"


def test_removed_updates_never_show_and_leave_no_hole(
    client, blog, publisher, django_capture_on_commit_callbacks, page_cache_off
):
    removed = LiveUpdate.objects.filter(article=blog, text__in=["<p>Update 200</p>", "<p>Update 120</p>"])
    for update in removed:
        with django_capture_on_commit_callbacks(execute=True):
            workflow.remove_live_update(update, by=publisher, note="Wrong town.")
    pages = [shown(page_of(client, blog.live_updates_url(number))) for number in (1, 2, 3)]
    assert [len(numbers) for numbers in pages] == [100, 100, 48]
    assert pages[0] == [n for n in newest_first(249, 149) if n != 200]
    assert pages[1] == [n for n in newest_first(148, 48) if n != 120]
    assert pages[2] == newest_first(47, 0)
    assert client.get(blog.live_updates_url(4)).status_code == 404


def test_every_update_of_a_blog_is_on_exactly_one_page(client, page_cache_off):
    article = with_updates(story(), 201)
    numbers = [n for number in (1, 2, 3) for n in shown(page_of(client, article.live_updates_url(number)))]
    assert numbers == newest_first(200, 0)
    assert links(page_of(client, article.live_updates_url(3)), "next") == []


@pytest.mark.parametrize("count, all_updates", [(1, True), (100, True), (101, False)])
def test_the_story_page_says_it_holds_every_update_only_when_it_does(client, count, all_updates, page_cache_off):
    article = with_updates(story(), count)
    page = page_of(client, article.get_absolute_url())
    (section,) = page.xpath('//section[@class="live-updates"]')
    assert (section.get("data-all-updates") is not None) == all_updates
    assert bool(links(page, "next")) == (not all_updates)
    assert len(shown(page)) == min(count, 100)


def test_the_story_page_links_where_a_long_blog_began_and_the_link_follows_new_updates(
    client, publisher, page_cache_off
):
    article = with_updates(story(), 250)
    page = page_of(client, article.get_absolute_url())
    (first,) = page.xpath('//section[@class="live-updates"]//p[@class="live-older"]/a[not(@rel)]')
    assert (first.get("href"), first.text_content()) == (
        f"{article.get_absolute_url()}updates/first/",
        "The first updates",
    )
    response = client.get(first.get("href"))
    assert (response.status_code, response["Location"]) == (302, article.live_updates_url(3))
    assert "no-store" in response["Cache-Control"]  # it moves: never kept by a browser or a proxy
    assert shown(page_of(client, response["Location"]))[-1] == 0  # "Update 0", the first one posted
    # A hundred more updates push the oldest onto page 4: the same link finds them there.
    LiveUpdate.objects.bulk_create(
        LiveUpdate(article=article, posted_at=article.last_live_update_at.replace(year=2027), text=f"<p>More {n}</p>")
        for n in range(100)
    )
    assert client.get(first.get("href"))["Location"] == article.live_updates_url(4)


@pytest.mark.parametrize("count", [0, 1, 100])
def test_a_blog_that_fits_on_the_story_page_has_no_first_updates_link_and_the_address_leads_to_it(
    client, count, page_cache_off
):
    article = with_updates(story(), count) if count else story()
    page = page_of(client, article.get_absolute_url())
    assert not page.xpath('//a[contains(@href, "/updates/first/")]')
    response = client.get(article.first_live_updates_url())
    anchor = "#live-updates-title" if count else ""  # a story without updates has no such section
    assert (response.status_code, response["Location"]) == (302, f"{article.get_absolute_url()}{anchor}")
    if count:
        assert page.xpath('//section[@class="live-updates"]//*[@id="live-updates-title"]')


def test_the_first_updates_address_answers_as_the_story_does(client, page_cache_off):
    for state, hidden in hidden_stories().items():
        expected = 410 if state == "unpublished" else 404
        assert client.get(hidden.first_live_updates_url()).status_code == expected, state
    arabic = with_updates(story(headline="معركة الباغوز", slug="معركة", language="ar"), 150)
    address = arabic.first_live_updates_url()
    assert address == f"/ar/article/{arabic.pk}/%D9%85%D8%B9%D8%B1%D9%83%D8%A9/updates/first/"
    response = client.get(address)
    assert (response.status_code, response["Location"]) == (302, arabic.live_updates_url(2))
    for wrong in (address.removeprefix("/ar"), address.replace("%D9%85%D8%B9%D8%B1%D9%83%D8%A9", "old-slug")):
        response = client.get(wrong)
        assert (response.status_code, response["Location"]) == (301, address), wrong
    story_page = page_of(client, arabic.get_absolute_url())
    assert [a.text_content() for a in story_page.xpath('//a[contains(@href, "/updates/first/")]')] == ["أولى التحديثات"]


# -- addresses ---------------------------------------------------------------------------------------------------


def test_page_one_is_the_story_and_pages_past_the_oldest_are_not_found(client, blog, page_cache_off):
    base = blog.get_absolute_url()
    response = client.get(f"{base}updates/1/")
    assert (response.status_code, response["Location"]) == (301, base)
    for address in ("updates/4/", "updates/99/", "updates/0/", "updates/02/", "updates/-1/", "updates/two/"):
        assert client.get(f"{base}{address}").status_code == 404, address
    # A number the database could not take as an offset is no page either.
    assert client.get(f"{base}updates/{'9' * 18}/").status_code == 404
    assert client.get(f"{base}updates/{'9' * 19}/").status_code == 404


def test_a_story_with_a_hundred_updates_or_none_has_no_older_page(client, page_cache_off):
    plain, full = story(), with_updates(story(), 100)
    for article in (plain, full):
        assert client.get(f"{article.get_absolute_url()}updates/2/").status_code == 404


def test_an_old_slug_or_the_other_edition_answers_301_to_the_right_page(client, blog, page_cache_off):
    old = blog.get_absolute_url()
    Article.objects.filter(pk=blog.pk).update(slug="battle-for-baghouz-ends")
    blog.refresh_from_db()
    response = client.get(f"{old}updates/3/")
    assert (response.status_code, response["Location"]) == (301, blog.live_updates_url(3))
    assert blog.live_updates_url(3).endswith("/battle-for-baghouz-ends/updates/3/")
    response = client.get(f"/ar{blog.live_updates_url(2)}")
    assert (response.status_code, response["Location"]) == (301, blog.live_updates_url(2))


def test_every_state_readers_may_not_see_answers_for_the_older_pages_as_for_the_story(client, page_cache_off):
    for name, article in hidden_stories().items():
        # Set-up only: updates as if posted while the story was public.
        with_updates(article, 150)
        expected = 410 if name == "unpublished" else 404
        assert client.get(article.get_absolute_url()).status_code == expected, name
        for number in (1, 2, 3):
            response = client.get(f"{article.get_absolute_url()}updates/{number}/")
            assert response.status_code == expected, (name, number)
            assert b"Update 1" not in response.content


def test_an_arabic_storys_older_pages_are_in_its_edition_with_arabic_digits(client, page_cache_off):
    arabic = story(headline="معركة الباغوز", slug="معركة", language="ar")
    with_updates(arabic, 150, start=datetime(2026, 3, 1, 6, 0, tzinfo=UTC))
    assert arabic.live_updates_url(2) == f"/ar/article/{arabic.pk}/%D9%85%D8%B9%D8%B1%D9%83%D8%A9/updates/2/"
    story_page = page_of(client, arabic.get_absolute_url())
    assert links(story_page, "next") == [(arabic.live_updates_url(2), "تحديثات أقدم")]
    response = client.get(arabic.live_updates_url(2))
    html = response.content.decode()
    page = lxml_html.fromstring(response.content)
    assert page.xpath("/html/@lang") == ["ar"] and page.xpath("/html/@dir") == ["rtl"]
    assert page.xpath("//main/article/@dir") == ["rtl"]
    assert page.xpath('//section[@class="live-updates"]/h2')[0].text_content() == "تحديثات مباشرة أقدم، الصفحة ٢ من ٢"
    assert page.xpath("//nav[@class='pagination']/@aria-label") == ["صفحات التحديثات المباشرة"]
    assert links(page, "prev") == [(f"{arabic.get_absolute_url()}#live-updates-title", "تحديثات أحدث")]
    # Update 49, the newest of page 2, was posted at 06:49 UTC, 09:49 in Baghdad.
    assert '<time datetime="2026-03-01T09:49:00+03:00">١ آذار ٢٠٢٦، ٠٩:٤٩ غرينتش+٣</time>' in html
    # An English address of the Arabic story's page answers with the Arabic one.
    response = client.get(arabic.live_updates_url(2).removeprefix("/ar"))
    assert (response.status_code, response["Location"]) == (301, arabic.live_updates_url(2))


def test_each_update_s_time_links_its_own_anchor_on_the_story_and_older_pages(client, page_cache_off):
    article = with_updates(story(), 150)
    for address in (article.get_absolute_url(), article.live_updates_url(2)):
        page = lxml_html.fromstring(client.get(address).content)
        updates = page.xpath('//article[@class="live-update"]')
        assert updates, address
        for update in updates:
            [link] = update.xpath('.//p[@class="live-update-time"]/a[@class="live-update-link"]')
            assert link.get("href") == f"#{update.get('id')}" and link.xpath("time"), address


# -- queries, structured data, caching ----------------------------------------------------------------------------


def test_the_story_page_runs_one_query_more_for_a_long_blog_whatever_its_length(client, places, page_cache_off):
    # As test_live_updates pins: the story, its related stories, its updates (one row more than it shows); a
    # blog with older updates, then, its key events among them (test_live_update_key_events).
    short, long, longer = (with_updates(story(regions=[places["baghouz"]]), count) for count in (30, 250, 1200))
    assert page_queries(client, short.get_absolute_url()) == 3
    assert page_queries(client, long.get_absolute_url()) == page_queries(client, longer.get_absolute_url()) == 4


def test_an_older_page_runs_two_queries_whatever_the_number_of_updates(client, page_cache_off):
    # The story's row, then the page's updates.
    for count in (150, 250, 1200):
        article = with_updates(story(), count)
        for number in (2, (count - 1) // 100 + 1):  # the second page and the last
            assert page_queries(client, article.live_updates_url(number)) == 2, (count, number)


def test_the_structured_data_lists_the_hundred_updates_the_story_page_shows(client, blog, page_cache_off):
    html = client.get(blog.get_absolute_url()).content.decode()
    (data,) = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    anchors = lxml_html.fromstring(html).xpath('//section[@class="live-updates"]/article/@id')
    url = f"http://testserver{blog.get_absolute_url()}"
    assert [posting["url"] for posting in data["liveBlogUpdate"]] == [f"{url}#{anchor}" for anchor in anchors]
    assert len(anchors) == 100
    # The older pages carry none: they are not the story.
    older = client.get(blog.live_updates_url(2)).content.decode()
    assert extruct.extract(older, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"] == []


def test_an_older_page_tells_when_the_story_last_changed(client, blog, publisher, django_capture_on_commit_callbacks):
    before = client.get(blog.live_updates_url(2))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.post_live_update(blog, by=publisher, text="Update 250")
    after = client.get(blog.live_updates_url(2))
    posted = LiveUpdate.objects.filter(article=blog).first().posted_at
    modified = datetime.strptime(after["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert modified == posted.replace(microsecond=0)
    assert client.get(blog.live_updates_url(2), headers={"If-None-Match": before["ETag"]}).status_code == 200


def test_a_cached_older_page_changes_at_once_when_an_update_is_posted_corrected_or_removed(
    client, any_cache, blog, publisher, django_capture_on_commit_callbacks
):
    address = blog.live_updates_url(2)
    assert shown(page_of(client, address)) == newest_first(149, 50)
    assert page_queries(client, address, warm=False) == 0  # now served from the cache
    # Every new update pushes one from the story's page onto page 2, and one from page 2 onto page 3.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.post_live_update(blog, by=publisher, text="Update 250")
    assert shown(page_of(client, address)) == newest_first(150, 51)
    assert shown(page_of(client, blog.live_updates_url(3))) == newest_first(50, 0)
    # A correction shows at once.
    update = LiveUpdate.objects.get(article=blog, text="<p>Update 100</p>")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.edit_live_update(update, by=publisher, text="Update 100", title="Checkpoint taken")
    assert page_of(client, address).xpath(f'//article[@id="update-{update.pk}"]//span[@class="live-update-edited"]')
    # A removal pulls the older updates up.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.remove_live_update(LiveUpdate.objects.get(article=blog, text="<p>Update 150</p>"), by=publisher,
                                    note="Duplicate.")  # fmt: skip
    assert shown(page_of(client, address)) == newest_first(149, 50)


def test_a_cached_older_page_is_gone_at_once_when_the_story_is_withdrawn(
    client, any_cache, blog, publisher, django_capture_on_commit_callbacks
):
    address = blog.live_updates_url(2)
    assert client.get(address).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(blog, by=publisher, note="Legal request")
    response = client.get(address)
    assert response.status_code == 410 and b"Update 1" not in response.content
