"""The public pages: what readers see, what they never see, where old addresses lead, and query budgets."""

import time
from datetime import UTC, datetime, timedelta

import extruct
import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.text import slugify

from articles import views, workflow
from articles.models import Article, Correction, Section
from articles.tests.factories import ActorFactory, AuthorFactory, RegionFactory, SectionFactory
from articles.tests.publishing import S, fresh_cache, hidden_stories, page_queries, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def desk(places, actors):
    """A section, an author, a public story about Baghouz and ISIS, one due by schedule, and hidden ones."""
    section = SectionFactory(name="Syria News", slug="syria-news")
    author = AuthorFactory(display_name="Rania Khalil", slug="rania-khalil")
    tags = {"section": section, "regions": [places["baghouz"]], "actors": [actors["isis"]], "authors": [author]}
    visible = story(headline="Last ISIS pocket falls in Baghouz", **tags)
    due = story(
        S.SCHEDULED, headline="Scheduled story now due", scheduled_for=timezone.now() - timedelta(minutes=5), **tags
    )
    hidden = _hidden_with(tags)
    return {"section": section, "author": author, "visible": visible, "due": due, "hidden": hidden, **places, **actors}


def _hidden_with(tags):
    stories = hidden_stories()
    for article in stories.values():
        article.section = tags["section"]
        article.save()
        article.regions.set(tags["regions"])
        article.actors.set(tags["actors"])
        article.authors.set(tags["authors"])
    return stories


LIST_PAGES = {
    "home": lambda d: "/",
    "section": lambda d: d["section"].get_absolute_url(),
    "region (parent of the tagged place)": lambda d: d["syria"].get_absolute_url(),
    "actor": lambda d: d["isis"].get_absolute_url(),
    "author": lambda d: d["author"].get_absolute_url(),
    "search": lambda d: "/search/?q=story",
    "latest feed": lambda d: "/feeds/latest/rss/",
    "latest Atom feed": lambda d: "/feeds/latest/atom/",
    "section feed": lambda d: f"/feeds/section/{d['section'].slug}/rss/",
    "region feed": lambda d: f"/feeds/region/{d['syria'].slug}/rss/",
    "actor feed": lambda d: f"/feeds/actor/{d['isis'].slug}/atom/",
}


@pytest.mark.parametrize("page", list(LIST_PAGES))
def test_lists_show_public_and_due_stories_and_nothing_else(client, desk, page):
    html = client.get(LIST_PAGES[page](desk)).content.decode()
    assert desk["visible"].get_absolute_url() in html
    assert desk["due"].get_absolute_url() in html
    for name, article in desk["hidden"].items():
        assert article.get_absolute_url() not in html, f"{name} story leaked onto the {page} page"
        assert article.headline not in html, f"{name} story leaked onto the {page} page"


@pytest.mark.parametrize("sitemap", ["articles", "news"])
def test_sitemaps_list_public_and_due_stories_and_nothing_else(client, desk, sitemap):
    xml = client.get(f"/sitemap-{sitemap}.xml").content.decode()
    assert f"/article/{desk['visible'].pk}/" in xml
    assert f"/article/{desk['due'].pk}/" in xml
    for name, article in desk["hidden"].items():
        assert f"/article/{article.pk}/" not in xml, f"{name} story leaked into the {sitemap} sitemap"


def test_public_and_due_stories_have_pages(client, desk):
    assert client.get(desk["visible"].get_absolute_url()).status_code == 200
    assert client.get(desk["due"].get_absolute_url()).status_code == 200


@pytest.mark.parametrize("state", ["draft", "scheduled later", "embargoed", "spiked"])
def test_stories_readers_may_not_see_answer_not_found(client, desk, state):
    response = client.get(desk["hidden"][state].get_absolute_url())
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert desk["hidden"][state].headline not in response.content.decode()


def test_withdrawn_story_answers_gone_with_the_public_reason(client, desk):
    response = client.get(desk["hidden"]["unpublished"].get_absolute_url())
    assert response.status_code == 410
    assert "Legal request" in response.content.decode()
    assert "This story has been withdrawn" in response.content.decode()


@pytest.mark.parametrize(
    "case",
    [
        "scheduled, cancelled before its time",
        "scheduled and due, but cancelled while its embargo held",
    ],
)
def test_a_story_withdrawn_before_readers_ever_saw_it_answers_not_found(client, publisher, case):
    now = timezone.now()
    if case.startswith("scheduled, cancelled"):
        article = story(S.SCHEDULED, headline="Plan the desk dropped", scheduled_for=now + timedelta(hours=3))
    else:
        article = story(
            S.SCHEDULED,
            headline="Plan the desk dropped",
            scheduled_for=now - timedelta(minutes=5),
            embargo_until=now + timedelta(hours=1),
        )
    workflow.unpublish(article, by=publisher, note="Pulled before publication: legal risk")
    for address in (
        article.get_absolute_url(),
        f"/article/{article.pk}/any-slug/",
        article.live_updates_feed_url("rss"),
    ):
        response = client.get(address)
        assert response.status_code == 404, address
        page = response.content.decode()
        assert "Plan the desk dropped" not in page
        assert "legal risk" not in page


def test_a_story_public_by_its_schedule_and_then_withdrawn_answers_gone(client, publisher):
    due_at = timezone.now() - timedelta(minutes=5)
    article = story(S.SCHEDULED, headline="Story readers saw at nine", scheduled_for=due_at)
    workflow.unpublish(article, by=publisher, note="Legal request")
    article.refresh_from_db()
    assert article.first_published_at == due_at
    response = client.get(article.get_absolute_url())
    assert response.status_code == 410
    assert "Story readers saw at nine" in response.content.decode()
    assert "Legal request" in response.content.decode()


def test_scheduled_story_appears_once_its_time_has_come(client, places):
    article = story(S.SCHEDULED, headline="Story at nine", scheduled_for=timezone.now() + timedelta(minutes=1))
    assert article.headline not in client.get("/").content.decode()
    Article.objects.filter(pk=article.pk).update(scheduled_for=timezone.now() - timedelta(seconds=1))
    from django.core.cache import cache

    cache.clear()  # the page cache would hold the page until the scheduled time; here we jump the clock instead
    assert article.headline in client.get("/").content.decode()


def test_unknown_address_gets_the_sites_not_found_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'href="/"' in response.content.decode()


def test_unknown_story_number_is_not_found(client, db):
    assert client.get("/article/999999/anything/").status_code == 404


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("/section/sport/", "Page not found"),
        ("/author/no-one/", "Page not found"),
        ("/actor/no-such-group/", "Page not found"),
        ("/region/atlantis/", "Page not found"),
        ("/ar/section/sport/", "الصفحة غير موجودة"),
        ("/ar/author/no-one/", "الصفحة غير موجودة"),
    ],
)
def test_an_unknown_section_author_actor_or_place_gets_the_editions_not_found_page(client, places, address, words):
    response = client.get(address)
    assert response.status_code == 404
    assert f"<h1>{words}</h1>" in response.content.decode()


# Addresses


def test_old_slug_redirects_permanently_to_the_current_address(client, db):
    article = story(headline="Original headline")
    old = article.get_absolute_url()
    Article.objects.filter(pk=article.pk).update(slug="better-headline")
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == f"/article/{article.pk}/better-headline/"


def test_arabic_story_lives_in_the_arabic_edition(client, db):
    article = story(headline="الدولة الإسلامية تخسر آخر جيب", slug="آخر-جيب", language="ar")
    assert article.get_absolute_url().startswith("/ar/article/")
    response = client.get(f"/article/{article.pk}/{article.slug}/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_region_alias_slug_redirects_to_the_canonical_place(client, places):
    response = client.get("/region/deir-ezzor/")
    assert response.status_code == 301
    assert response["Location"] == "/region/deir-ez-zor/"


def test_arabic_alias_slug_redirects_to_the_canonical_place(client, places):
    response = client.get("/ar/region/دير-الزور/")
    assert response.status_code == 301
    assert response["Location"] == "/ar/region/deir-ez-zor/"


def test_actor_alias_slug_redirects_to_the_canonical_actor(client, actors):
    response = client.get("/actor/daesh/")
    assert response.status_code == 301
    assert response["Location"] == "/actor/islamic-state/"


@pytest.mark.parametrize(
    "asked, location",
    [
        ("/region/deir-ezzor/?page=2", "/region/deir-ez-zor/?page=2"),
        ("/actor/daesh/?page=3&utm_source=x", "/actor/islamic-state/?page=3&utm_source=x"),
        ("/feeds/region/deir-ezzor/rss/?utm_source=x", "/feeds/region/deir-ez-zor/rss/?utm_source=x"),
    ],
)
def test_a_redirect_to_the_canonical_address_keeps_the_query(client, places, actors, asked, location):
    response = client.get(asked)
    assert response.status_code == 301
    assert response["Location"] == location


def test_an_old_slug_keeps_the_query_on_its_way(client, db):
    article = story(headline="Original headline")
    Article.objects.filter(pk=article.pk).update(slug="better-headline")
    response = client.get(f"/article/{article.pk}/original-headline/?utm_source=newsletter")
    assert response["Location"] == f"/article/{article.pk}/better-headline/?utm_source=newsletter"


@pytest.mark.parametrize(
    "asked, location",
    [
        ("/feeds/region/deir-ezzor/rss/", "/feeds/region/deir-ez-zor/rss/"),
        ("/feeds/region/Syria/atom/", "/feeds/region/syria/atom/"),
        ("/feeds/actor/daesh/rss/", "/feeds/actor/islamic-state/rss/"),
        ("/ar/feeds/actor/داعش/atom/", "/ar/feeds/actor/islamic-state/atom/"),
    ],
)
def test_a_place_or_actor_feed_asked_for_by_an_alias_redirects_to_the_canonical_feed(
    client, places, actors, asked, location
):
    response = client.get(asked)
    assert response.status_code == 301
    assert response["Location"] == location
    assert client.get(location).status_code == 200


def test_a_feed_of_no_such_place_is_not_found(client, places):
    assert client.get("/feeds/region/atlantis/rss/").status_code == 404


def test_unknown_place_is_not_found(client, places):
    assert client.get("/region/atlantis/").status_code == 404


def test_get_absolute_url_names_are_kept(desk):
    assert desk["section"].get_absolute_url() == "/section/syria-news/"
    assert desk["syria"].get_absolute_url() == "/region/syria/"
    assert desk["isis"].get_absolute_url() == "/actor/islamic-state/"
    assert desk["author"].get_absolute_url() == "/author/rania-khalil/"
    assert desk["visible"].get_absolute_url() == f"/article/{desk['visible'].pk}/{desk['visible'].slug}/"


# The article page


def test_article_page_shows_the_whole_story(client, desk):
    article = desk["visible"]
    Article.objects.filter(pk=article.pk).update(
        kicker="Syria", standfirst="The last pocket has fallen.", dateline_place=desk["deir"]
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Last ISIS pocket falls in Baghouz" in html
    assert "The last pocket has fallen." in html
    assert '<p class="kicker">Syria</p>' in html
    assert 'href="/author/rania-khalil/" rel="author"' in html
    assert 'href="/region/deir-ez-zor/"' in html  # the dateline
    assert 'href="/region/baghouz/"' in html and 'href="/actor/islamic-state/"' in html  # the chips
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html


def test_article_times_are_shown_in_the_newsroom_time_zone(client, db, settings):
    article = story()
    when = datetime(2026, 3, 1, 6, 30, tzinfo=UTC)
    Article.objects.filter(pk=article.pk).update(first_published_at=when, last_published_at=when)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<time datetime="2026-03-01T09:30:00+03:00">1 March 2026, 09:30 GMT+3</time>' in html
    assert "Updated" not in html
    arabic = story(language="ar", slug="خبر")
    Article.objects.filter(pk=arabic.pk).update(first_published_at=when, last_published_at=when)
    html = client.get(arabic.get_absolute_url()).content.decode()
    assert '<time datetime="2026-03-01T09:30:00+03:00">١ آذار ٢٠٢٦، ٠٩:٣٠ غرينتش+٣</time>' in html


def test_public_correction_appears_on_the_story(client, desk, publisher, django_capture_on_commit_callbacks):
    article = desk["visible"]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.correct(article, by=publisher, note="An earlier version misnamed the town.", kind="correction")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Corrections and updates" in html
    assert "An earlier version misnamed the town." in html
    assert Correction.objects.filter(article=article).count() == 1


def test_corrections_are_listed_oldest_first_with_their_kind_and_time(client, desk):
    article = desk["visible"]
    later = Correction.objects.create(article=article, text="The second note", kind=Correction.Kind.UPDATE)
    earlier = Correction.objects.create(article=article, text="The first note", kind=Correction.Kind.CLARIFICATION)
    Correction.objects.filter(pk=earlier.pk).update(created_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    html = client.get(article.get_absolute_url()).content.decode()
    box = html[html.index("Corrections and updates") : html.index("</aside>")]
    assert box.index("The first note") < box.index("The second note")
    assert box.index("Clarification") < box.index("Update")
    assert '<time datetime="2026-03-01T12:30:00+03:00">1 March 2026, 12:30</time>' in box  # newsroom time
    assert later.text in box


def test_related_stories_rank_by_shared_places_and_actors(client, places, actors):
    article = story(regions=[places["baghouz"], places["deir"]], actors=[actors["isis"], actors["sdf"]])
    three = story(headline="Shares three tags", regions=[places["baghouz"], places["deir"]], actors=[actors["isis"]])
    one = story(headline="Shares one tag", regions=[places["deir"]], age=timedelta(minutes=1))
    two = story(headline="Shares two tags", regions=[places["baghouz"]], actors=[actors["sdf"]])
    story(headline="Shares nothing at all", regions=[places["baghdad"]])
    hidden = story(S.DRAFT, headline="Draft sharing everything", regions=[places["baghouz"], places["deir"]])
    html = client.get(article.get_absolute_url()).content.decode()
    related = html[html.index("Related stories") :]
    assert related.index(three.headline) < related.index(two.headline) < related.index(one.headline)
    assert "Shares nothing at all" not in related
    assert hidden.headline not in related


def _related_box(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    return html[html.index("Related stories") :] if "Related stories" in html else ""


def test_related_stories_are_ranked_among_the_newest_sharing_a_tag(client, places, monkeypatch, page_cache_off):
    monkeypatch.setattr(views, "RELATED_CANDIDATES", 3)
    article = story(regions=[places["baghouz"], places["deir"]], age=timedelta(minutes=1))
    older = story(
        headline="Older story sharing both", regions=[places["baghouz"], places["deir"]], age=timedelta(days=2)
    )
    newer = [
        story(headline=f"Newer story sharing one {n}", regions=[places["deir"]], age=timedelta(hours=n))
        for n in range(3)
    ]
    related = _related_box(client, article)
    assert all(s.headline in related for s in newer)
    assert older.headline not in related  # it shares more, but three newer stories fill the window


def test_a_story_published_later_joins_the_related_box_of_a_page_seen_before(
    client, places, publisher, page_cache_off, django_capture_on_commit_callbacks
):
    article = story(regions=[places["baghouz"]])
    story(headline="Earlier Baghouz story", regions=[places["baghouz"]], age=timedelta(days=1))
    assert "Earlier Baghouz story" in _related_box(client, article)  # the place's newest stories are cached
    new = story(S.APPROVED, headline="Breaking Baghouz story", regions=[places["baghouz"]])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(new, by=publisher)
    assert "Breaking Baghouz story" in _related_box(client, article)


def test_a_story_withdrawn_a_moment_ago_never_shows_in_a_related_box(client, places, page_cache_off):
    article = story(regions=[places["baghouz"]])
    story(headline="Baghouz story staying", regions=[places["baghouz"]], age=timedelta(days=1))
    leaving = story(headline="Baghouz story leaving", regions=[places["baghouz"]])
    assert "Baghouz story leaving" in _related_box(client, article)
    # Withdrawn, before its purge runs (the cached newest stories of the place still list it).
    Article.objects.filter(pk=leaving.pk).update(status=S.UNPUBLISHED)
    related = _related_box(client, article)
    assert "Baghouz story leaving" not in related and "Baghouz story staying" in related


def test_a_scheduled_story_joins_related_boxes_when_its_time_comes(client, places, page_cache_off):
    article = story(regions=[places["baghouz"]])
    story(headline="Earlier Baghouz story", regions=[places["baghouz"]], age=timedelta(days=1))
    due = timezone.now() + timedelta(seconds=2)
    story(S.SCHEDULED, headline="Scheduled Baghouz story", regions=[places["baghouz"]], scheduled_for=due)
    assert "Scheduled Baghouz story" not in _related_box(client, article)
    time.sleep((due - timezone.now()).total_seconds() + 1.5)  # no event: the cached lists expire at its time
    assert "Scheduled Baghouz story" in _related_box(client, article)


def test_places_and_actors_are_listed_in_the_order_they_were_tagged(client, places, actors):
    article = story(
        regions=[places["deir"], places["baghdad"], places["baghouz"]], actors=[actors["sdf"], actors["isis"]]
    )
    html = client.get(article.get_absolute_url()).content.decode()
    chips = html[html.index('class="article-tags"') :]
    assert chips.index("Deir ez-Zor") < chips.index("Baghdad") < chips.index("Baghouz")
    assert chips.index("Syrian Democratic Forces") < chips.index("Islamic State")


def _tagged_out_of_order(places, actors):
    """A story whose places, actors and authors were added in an order that is neither by name nor by id
    (the authors' ids follow their names; the desk put them in BYLINE order)."""
    article = story(headline="Front line moves", credit="Agencies")
    for place in (places["deir"], places["baghdad"], places["syria"], places["baghouz"]):
        article.regions.add(place)  # one by one: the link rows' order is this order
    for actor in (actors["sdf"], actors["isis"]):
        article.actors.add(actor)
    writers = {name: AuthorFactory(display_name=name, slug=slugify(name)) for name in sorted(BYLINE)}
    article.set_authors([writers[name] for name in BYLINE])
    return article


BYLINE = ["Mona Saleh", "Adel Nasser", "Zeina Haddad", "Karim Aziz"]


# What the page reads of each linked entry (templates, structured data, addresses).
READ_FIELDS = {
    "regions": ("slug", "name", "name_ar", "kind", "parent_id"),
    "actors": ("slug", "name", "name_ar", "kind"),
    "authors": ("slug", "display_name", "user_id"),
}


def _stored(article, name):
    """`article.<name>.all()`: the fields the page reads, in order."""
    return [(entry.pk, *(getattr(entry, f) for f in READ_FIELDS[name])) for entry in getattr(article, name).all()]


def test_places_actors_and_authors_come_with_the_story_as_their_relations_give_them(
    rf, places, actors, django_assert_num_queries
):
    article = _tagged_out_of_order(places, actors)
    fresh = Article.objects.get(pk=article.pk)
    expected = {name: _stored(fresh, name) for name in READ_FIELDS}
    shown, _ = views.story_or_gone(rf.get("/"), article.pk)
    with django_assert_num_queries(0):
        assert {name: _stored(shown, name) for name in READ_FIELDS} == expected
        assert [r.name for r in shown.regions.all()] == ["Deir ez-Zor", "Baghdad", "Syria", "Baghouz"]
        assert [a.name for a in shown.actors.all()] == ["Syrian Democratic Forces", "Islamic State"]
        assert [a.display_name for a in shown.authors.all()] == BYLINE


def test_article_page_shows_places_actors_and_authors_in_order_everywhere(client, places, actors):
    article = _tagged_out_of_order(places, actors)
    html = client.get(article.get_absolute_url()).content.decode()
    byline = html[html.index('class="byline"') : html.index('class="times"')]
    assert [byline.index(name) for name in BYLINE] == sorted(byline.index(name) for name in BYLINE)
    assert " and <a" in byline[byline.index("Zeina Haddad") :]  # "…, Zeina Haddad and Karim Aziz"
    assert 'href="/author/mona-saleh/" rel="author"' in html
    chips = html[html.index('class="article-tags"') :]
    assert chips.index("Deir ez-Zor") < chips.index("Baghdad") < chips.index("Syria<") < chips.index("Baghouz")
    assert chips.index("Syrian Democratic Forces") < chips.index("Islamic State")
    data = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"][0]
    assert [a["name"] for a in data["author"]] == BYLINE
    assert data["author"][0]["url"] == "http://testserver/author/mona-saleh/"
    assert [p["url"] for p in data["about"]] == [
        f"http://testserver/region/{slug}/" for slug in ("deir-ez-zor", "baghdad", "syria", "baghouz")
    ]
    assert data["about"][2]["alternateName"] == "سوريا"
    assert [(a["@type"], a["name"]) for a in data["mentions"]] == [
        ("Organization", "Syrian Democratic Forces"),
        ("Organization", "Islamic State"),
    ]


def test_arabic_article_page_names_its_places_and_actors_in_arabic(client, places, actors):
    spokesman = ActorFactory(name="Farhad Shami", name_ar="فرهاد شامي", kind="person")
    article = story(
        headline="سقوط الباغوز", slug="سقوط", language="ar", regions=[places["baghouz"], places["baghdad"]],
        actors=[actors["sdf"], spokesman], dateline_place=places["baghouz"],
        section=SectionFactory(name="Syria News", slug="syria-news", name_ar="أخبار سوريا"),
    )  # fmt: skip
    html = client.get(article.get_absolute_url()).content.decode()
    chips = html[html.index('class="article-tags"') :]
    assert "الباغوز" in chips and "بغداد" in chips and "قوات سوريا الديمقراطية" in chips and "فرهاد شامي" in chips
    assert f'href="/ar/actor/{spokesman.slug}/"' in chips
    data = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"][0]
    # Named in the story's language, as the chips are, the English name as the alternate.
    assert data["mentions"][1] == {
        "@type": "Person",
        "name": "فرهاد شامي",
        "url": f"http://testserver/ar/actor/{spokesman.slug}/",
        "alternateName": "Farhad Shami",
    }
    assert [place["name"] for place in data["about"]] == ["الباغوز", "بغداد"]
    assert data["articleSection"] == "أخبار سوريا" and data["contentLocation"]["name"] == "الباغوز"
    assert '<meta property="article:section" content="أخبار سوريا">' in html
    assert '<meta property="article:tag" content="الباغوز">' in html
    assert '<meta property="article:tag" content="فرهاد شامي">' in html and 'Farhad Shami">' not in html


def test_article_page_shows_only_its_own_places_actors_and_authors(client, places, actors):
    writers = {name: AuthorFactory(display_name=name, slug=slugify(name)) for name in ("Own", "Draft", "Other")}
    group = ActorFactory(name="Other Group", slug="other-group")
    own = story(regions=[places["baghouz"]], actors=[actors["isis"]], authors=[writers["Own"]])
    hidden = story(S.DRAFT, regions=[places["iraq"]], actors=[actors["sdf"]], authors=[writers["Draft"]])
    other = story(regions=[places["baghdad"]], actors=[group], authors=[writers["Other"]])
    bare = story(headline="A story with nothing linked", credit="Agencies")
    html = client.get(own.get_absolute_url()).content.decode()
    shown = [places["baghouz"], actors["isis"], writers["Own"]]
    assert all(f'href="{entry.get_absolute_url()}"' in html for entry in shown)
    for entry in (places["iraq"], actors["sdf"], writers["Draft"], places["baghdad"], group, writers["Other"]):
        assert entry.get_absolute_url() not in html, entry
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert f'href="{writers["Other"].get_absolute_url()}"' in client.get(other.get_absolute_url()).content.decode()
    bare_html = client.get(bare.get_absolute_url()).content.decode()
    assert 'class="article-tags"' not in bare_html and 'rel="author"' not in bare_html
    assert '<span class="credit"><bdi>Agencies</bdi></span>' in bare_html  # a wire credit alone is the byline
    credited = story(headline="With a writer and a wire", credit="Reuters", authors=[writers["Own"]])
    assert '<span class="credit">(Reuters)</span>' in client.get(credited.get_absolute_url()).content.decode()


def test_translation_is_linked_with_hreflang_both_ways(client, db):
    english = story(headline="Baghouz falls", language="en")
    arabic = story(headline="سقوط الباغوز", slug="سقوط-الباغوز", language="ar")
    english.link_translation(arabic)
    html = client.get(english.get_absolute_url()).content.decode()
    assert f'hreflang="ar" href="http://testserver{arabic.get_absolute_url()}"' in html
    arabic_html = client.get(arabic.get_absolute_url()).content.decode()
    assert f'hreflang="en" href="http://testserver{english.get_absolute_url()}"' in arabic_html


def test_unpublished_translation_is_not_linked(client, db):
    english = story(headline="Baghouz falls", language="en")
    arabic = story(S.DRAFT, headline="سقوط الباغوز", slug="سقوط", language="ar")
    english.link_translation(arabic)
    assert 'rel="alternate" hreflang="ar"' not in client.get(english.get_absolute_url()).content.decode()


def test_arabic_story_is_right_to_left_with_arabic_interface(client, places):
    article = story(headline="سقوط الباغوز", slug="سقوط-الباغوز", language="ar", regions=[places["baghouz"]])
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert '<article class="article" lang="ar" dir="rtl">' in html
    assert "الأماكن" in html  # "Places", translated
    assert "الباغوز" in html  # the place chip in its Arabic name


def test_interface_strings_follow_each_pages_language_when_editions_alternate(client, places):
    arabic = story(headline="سقوط الباغوز", slug="سقوط-الباغوز", language="ar", regions=[places["baghouz"]])
    english = story(headline="Baghouz falls", regions=[places["baghouz"]])
    # Each string is translated once per process and language: the same process, page after page, must not
    # serve one edition's words on the other's pages.
    for _ in range(2):
        html = client.get(arabic.get_absolute_url()).content.decode()
        assert "ابحث في الأخبار" in html and "Search stories" not in html  # a plain string
        assert "<span>نُشر <a" in html and "<span>Published " not in html  # a string with a context
        assert "الأماكن" in html and ">Places<" not in html
        html = client.get(english.get_absolute_url()).content.decode()
        assert "Search stories" in html and "ابحث في الأخبار" not in html
        assert "<span>Published <a" in html and "نُشر" not in html
        assert ">Places<" in html and "الأماكن" not in html


def test_body_html_is_the_sanitised_html_and_the_headline_is_escaped(client, db):
    article = story(headline="<script>alert(1)</script> headline", body="<p>Fine <script>x()</script></p>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; headline" in html
    assert "x()" not in html


# Places, actors, authors, sections


def test_region_page_lists_stories_inside_it_with_parents_and_children(client, desk):
    html = client.get("/region/deir-ez-zor-governorate/").content.decode()
    assert desk["visible"].headline in html  # tagged Baghouz, which is inside the governorate
    breadcrumb = html[html.index('class="breadcrumb"') :]
    assert 'href="/region/syria/"' in breadcrumb
    children = html[html.index("Places inside") :]
    assert 'href="/region/baghouz/"' in children and 'href="/region/deir-ez-zor/"' in children


def test_region_page_shows_the_whole_parent_chain_in_order(client, places):
    html = client.get("/region/baghouz/").content.decode()
    crumbs = html[html.index('class="breadcrumb"') : html.index("</nav>", html.index('class="breadcrumb"'))]
    assert crumbs.index("/region/syria/") < crumbs.index("/region/deir-ez-zor-governorate/")


def test_actor_page_shows_kind_and_description(client, actors):
    actors["isis"].description = "Jihadist group that held territory in Iraq and Syria."
    actors["isis"].save()
    html = client.get("/actor/islamic-state/").content.decode()
    assert "Armed group" in html
    assert "Jihadist group that held territory" in html


def test_section_page_lists_subsections_and_their_stories(client, db):
    parent = SectionFactory(name="Iraq News", slug="iraq-news")
    local = SectionFactory(name="Local News", slug="local-news", parent=parent)
    article = story(section=local, headline="Basra council meets")
    html = client.get("/section/iraq-news/").content.decode()
    assert 'href="/section/local-news/"' in html
    assert article.headline in html


def test_lists_are_paginated(client, db):
    section = SectionFactory()
    for n in range(25):
        story(section=section, headline=f"Numbered story {n:02d}", age=timedelta(minutes=n))
    first = client.get(section.get_absolute_url()).content.decode()
    second = client.get(section.get_absolute_url() + "?page=2").content.decode()
    assert "Numbered story 00" in first and "Numbered story 24" not in first
    assert "Numbered story 24" in second and 'rel="prev"' in second


def test_each_edition_lists_its_own_language(client, db):
    english = story(headline="English story here")
    arabic = story(headline="خبر عربي هنا", slug="خبر", language="ar")
    assert english.headline in client.get("/").content.decode()
    assert arabic.headline not in client.get("/").content.decode()
    arabic_home = client.get("/ar/").content.decode()
    assert arabic.headline in arabic_home and english.headline not in arabic_home
    assert '<html lang="ar" dir="rtl">' in arabic_home


# Query budgets: the same number of queries for one tag as for many.


def test_article_page_runs_two_queries_whatever_the_tags_authors_and_related(client, places, actors, page_cache_off):
    small = story(regions=[places["baghouz"]], authors=[AuthorFactory()])
    story(headline="Another Baghouz story", regions=[places["baghouz"]])
    many_regions = [RegionFactory() for _ in range(12)]
    many_actors = [*actors.values(), *(ActorFactory() for _ in range(6))]
    big = story(regions=many_regions, actors=many_actors, authors=[AuthorFactory() for _ in range(7)])
    Correction.objects.create(article=big, text="A correction")
    for _ in range(6):
        story(regions=many_regions[:3], actors=[actors["isis"]])
    elsewhere = story(regions=[places["baghdad"]])
    story(headline="Another Baghdad story", regions=[places["baghdad"]])
    # The story with its corrections, places, actors and authors in its own row, then the related stories
    # chosen; one more when its tags' newest stories are not in the cache yet (first view, or after any
    # story changed).
    for article in (small, big):
        cache.clear()
        client.get(elsewhere.get_absolute_url())  # the site-wide fragments (menu, next scheduled story)
        assert page_queries(client, article.get_absolute_url(), warm=False) == 3
        assert page_queries(client, article.get_absolute_url()) == 2
    html = client.get(big.get_absolute_url()).content.decode()
    assert "A correction" in html
    assert all(place.get_absolute_url() in html for place in many_regions)
    assert all(actor.get_absolute_url() in html for actor in many_actors)
    assert html.count('rel="author"') == 7


@pytest.mark.parametrize(
    "url, expected",
    [
        (lambda d: "/", 5),
        (lambda d: d["section"].get_absolute_url(), 5),
        (lambda d: d["syria"].get_absolute_url(), 6),
        (lambda d: d["isis"].get_absolute_url(), 4),
        (lambda d: d["author"].get_absolute_url(), 4),
        # Searches: the ranked page and its bylines (+ the place filter); the names in the query are found
        # once per vocabulary generation (the warm-up request), see test_search_names_are_looked_up_once.
        (lambda d: "/search/?q=story", 2),
        (lambda d: "/search/?q=daesh&region=syria&language=en", 3),
        # Newest first: its own compiled query, the same count.
        (lambda d: "/search/?q=story&sort=newest", 2),
        (lambda d: "/search/?q=daesh&region=syria&language=en&sort=newest", 3),
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(client, desk, page_cache_off, url, expected):
    address = url(desk)
    for n in range(6):
        story(section=desk["section"], headline=f"Plain story {n}", regions=[desk["baghouz"]], actors=[desk["isis"]])
    few = page_queries(client, address)
    for n in range(12):
        article = story(
            section=desk["section"],
            headline=f"Another story {n}",
            regions=[desk["baghouz"], desk["deir"]],
            actors=[desk["isis"], desk["sdf"]],
            authors=[desk["author"], AuthorFactory()],
        )
        article.standfirst = "Story"
    assert page_queries(client, address) == few == expected


def test_search_names_are_looked_up_once_per_vocabulary_generation(client, desk, page_cache_off):
    story(headline="Daesh attack on a checkpoint", actors=[desk["isis"]])
    client.get("/search/?q=market")  # the menu and the section filter's options, cached for every search
    assert page_queries(client, "/search/?q=daesh+checkpoint", warm=False) == 4  # + one query per vocabulary
    assert page_queries(client, "/search/?q=daesh+checkpoint", warm=False) == 2
    assert page_queries(client, "/search/?q=checkpoint+daesh", warm=False) == 4  # other words: looked up again


def test_search_newest_first_runs_as_many_queries_as_relevance_whatever_the_results(client, desk, page_cache_off):
    # Older stories match better (in the headline, more often): newest first is another page, at the same cost.
    for n in range(8):
        story(
            headline=f"Dam story {n}" if n >= 4 else f"Dam report {n}",
            body="<p>Story.</p>" * (n + 1),
            regions=[desk["baghouz"]],
            actors=[desk["isis"]],
            authors=[desk["author"], AuthorFactory()],
            age=timedelta(hours=n),
        )
    for address in ("/search/?q=story&sort=newest", "/search/?q=daesh+story&region=syria&sort=newest"):
        page = client.get(address).content.decode()
        assert '<option value="newest" selected>Newest first</option>' in page
        assert page.index("Dam report 0") < page.index("Dam <mark>story</mark> 7")
    assert page_queries(client, "/search/?q=story&sort=newest") == page_queries(client, "/search/?q=story") == 2
    assert page_queries(client, "/search/?q=daesh+story&region=syria&sort=newest") == 3


def test_search_page_queries_do_not_grow_with_subsections(
    client, desk, page_cache_off, django_capture_on_commit_callbacks
):
    # The section filter's labels name each subsection's parent ("Syria News > Raqqa"); the options are
    # kept with the vocabulary's generation, so a new section shows at once and costs no query per search.
    story(section=desk["section"], headline="Plain story about the dam", regions=[desk["baghouz"]])
    before = page_queries(client, "/search/?q=dam")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            SectionFactory(name=f"Desk {n}", slug=f"desk-{n}", parent=desk["section"])
    page = client.get("/search/?q=dam").content.decode()
    assert '<option value="desk-4">Syria News &gt; Desk 4</option>' in page
    assert page_queries(client, "/search/?q=dam") == before == 2
    # Filtering by one of them finds its stories (one more query, for the chosen section).
    story(section=Section.objects.get(slug="desk-4"), headline="Dam story filed on desk four")
    page = client.get("/search/?q=dam&section=desk-4").content.decode()
    assert "story filed on desk four" in page and "Plain story about the" not in page
    page = client.get("/search/?q=dam&section=no-such-desk").content.decode()
    assert "Select a valid choice" in page


def test_arabic_page_prints_dates_in_arabic_indic_digits_and_keeps_machine_times_western(client, db):
    published = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)  # 12:30 in the newsroom's time zone
    arabic = story(headline="سقوط الباغوز", slug="سقوط-الباغوز", language="ar")
    english = story(headline="Baghouz falls", slug="baghouz-falls")
    Article.objects.filter(pk__in=[arabic.pk, english.pk]).update(
        first_published_at=published, last_published_at=published
    )
    html = client.get(arabic.get_absolute_url()).content.decode()
    stamp = html[html.index('<time datetime="2026-03-01T12:30:00+03:00">') :]
    shown = stamp[stamp.index(">") + 1 : stamp.index("</time>")]
    assert "١ آذار ٢٠٢٦" in shown and "١٢:٣٠" in shown
    assert not any(character in "0123456789" for character in shown)
    english_html = client.get(english.get_absolute_url()).content.decode()
    assert '<time datetime="2026-03-01T12:30:00+03:00">1 March 2026, 12:30' in english_html


@pytest.mark.parametrize(
    "words, english, arabic",
    [
        (200, "1 minute read", "دقيقة واحدة للقراءة"),
        (4 * 220, "4 minutes read", "٤ دقائق للقراءة"),
        (12 * 220, "12 minutes read", "١٢ دقيقة للقراءة"),
        (1000 * 220, "1,000 minutes read", "١٬٠٠٠ دقيقة للقراءة"),
    ],
)
def test_reading_time_is_a_count_in_the_editions_digits(client, db, settings, words, english, arabic):
    settings.NEWSROOM_WORDS_PER_MINUTE = 220
    body = "<p>" + " ".join(["word"] * words) + "</p>"
    stories = {
        "en": story(headline="A long read", slug="a-long-read", body=body),
        "ar": story(headline="قراءة طويلة", slug="قراءة-طويلة", language="ar", body=body),
    }
    for language, shown in (("en", english), ("ar", arabic)):
        html = client.get(stories[language].get_absolute_url()).content.decode()
        assert f'<span class="reading-time">{shown}</span>' in html, language


@pytest.mark.parametrize("address", ["/article/99999999999999999999/slug/", "/article/9223372036854775808/slug/"])
def test_an_id_past_bigint_in_an_address_is_a_plain_404(client, db, address):
    # Longer than a 64-bit id: no such page, on either database (it used to reach the query and fail).
    assert client.get(address).status_code == 404


@pytest.mark.parametrize(
    "address",
    ["/desk/preview/99999999999999999999/", "/desk/presence/9223372036854775808/"],
)
def test_an_id_past_bigint_in_a_desk_address_is_a_plain_404(admin_client, address):
    assert admin_client.get(address).status_code == 404
