"""Descriptions and bios in the Arabic edition: a place's, actor's or section's Arabic description and an
author's Arabic bio on /ar/ pages (the paragraph, `<meta name="description">`, Open Graph and Twitter cards,
JSON-LD), the English text where there is none, marked as English so it is laid out left to right; the
English edition as before; escaped everywhere; not one query more; written on the desk by those who may."""

import html
import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from articles.models import Actor, Author, Region, Section, text_in
from articles.tests.factories import AuthorFactory, SectionFactory
from articles.tests.publishing import fresh_cache, page_queries, story  # noqa: F401 - fresh_cache is a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

HOSTILE = '<script>alert("وصف")</script></p><b>'
ESCAPED = "&lt;script&gt;alert(&#34;وصف&#34;)&lt;/script&gt;&lt;/p&gt;&lt;b&gt;"

ISIS_EN = "Jihadist group that declared a so-called caliphate across Iraq and Syria in 2014."
ISIS_AR = "تنظيم جهادي أعلن ما سمّاه «الخلافة» في العراق وسوريا عام 2014."
SDF_EN = "Kurdish-led alliance that drove the Islamic State from north-east Syria."
BAGHOUZ_EN = "Town on the Euphrates where the Islamic State lost its last territory in 2019."
BAGHOUZ_AR = "بلدة على الفرات خسر فيها تنظيم الدولة الإسلامية آخر أرض يسيطر عليها عام 2019."
SYRIA_EN = "Country on the eastern Mediterranean, at war since 2011."
SECTION_EN = "News from every governorate of Syria."
SECTION_AR = "أخبار من كل المحافظات السورية."
IRAQ_SECTION_EN = "News from Baghdad and the provinces."
RASHA_EN = "Rasha Khalil reports on Syria's economy from Damascus."
RASHA_AR = "رشا خليل تكتب عن الاقتصاد السوري من دمشق."
DANIEL_EN = "Daniel Hartley writes about water and the rivers shared by Iraq and its neighbours."


@pytest.fixture
def described(places, actors, settings):
    """One entry of each kind described in both languages, one in English only, each with a story per edition."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    _describe(actors["isis"], description=ISIS_EN, description_ar=ISIS_AR)
    _describe(actors["sdf"], description=SDF_EN)
    _describe(places["baghouz"], description=BAGHOUZ_EN, description_ar=BAGHOUZ_AR)
    _describe(places["syria"], description=SYRIA_EN)
    syria_news = SectionFactory(
        name="Syria News", slug="syria-news", name_ar="أخبار سوريا", description=SECTION_EN, description_ar=SECTION_AR
    )
    iraq_news = SectionFactory(name="Iraq News", slug="iraq-news", name_ar="أخبار العراق", description=IRAQ_SECTION_EN)
    rasha = AuthorFactory(display_name="Rasha Khalil", slug="rasha-khalil", bio=RASHA_EN, bio_ar=RASHA_AR)
    daniel = AuthorFactory(display_name="Daniel Hartley", slug="daniel-hartley", bio=DANIEL_EN)
    for section, place, actor, author in [
        (syria_news, places["baghouz"], actors["isis"], rasha),
        (iraq_news, places["syria"], actors["sdf"], daniel),
    ]:
        tags = {"section": section, "regions": [place], "actors": [actor], "authors": [author]}
        story(headline=f"سقوط {place.name_ar}", slug=f"ar-{place.slug}", language="ar", **tags)
        story(headline=f"{place.name} falls", **tags)
    return {"syria_news": syria_news, "iraq_news": iraq_news, "rasha": rasha, "daniel": daniel}


def _describe(entry, **texts):
    for field, text in texts.items():
        setattr(entry, field, text)
    entry.save()


# Each kind of page: the address of the entry described in both languages and of the one described in English
# only, where its JSON-LD carries the text, and whether the text is also the page's meta description and card
# (a place's and an actor's are "News about <name>", as before).
SUBJECTS = {
    "section": ("/section/syria-news/", "/section/iraq-news/", ("description",), True),
    "place": ("/region/baghouz/", "/region/syria/", ("about", "description"), False),
    "actor": ("/actor/islamic-state/", "/actor/syrian-democratic-forces/", ("about", "description"), False),
    "author": ("/author/rasha-khalil/", "/author/daniel-hartley/", ("mainEntity", "description"), True),
}
TEXTS = {
    "section": (SECTION_EN, SECTION_AR, IRAQ_SECTION_EN),
    "place": (BAGHOUZ_EN, BAGHOUZ_AR, SYRIA_EN),
    "actor": (ISIS_EN, ISIS_AR, SDF_EN),
    "author": (RASHA_EN, RASHA_AR, DANIEL_EN),
}


def read(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


def paragraph(page):
    """The description paragraph as (its attributes beyond the class, its text as a reader reads it), or None."""
    found = re.findall(r'<p class="description"([^>]*)>(.*?)</p>', page, re.S)
    assert len(found) <= 1
    return (found[0][0], html.unescape(found[0][1])) if found else None


def meta(page, name):
    """Each `<meta>` called `name` as (its content as written, its attributes after the content)."""
    return [
        (html.unescape(content), rest)
        for content, rest in re.findall(rf'<meta (?:property|name)="{name}" content="([^"]*)"([^>]*)>', page)
    ]


def json_ld_text(page, path):
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(script)
    for key in path:
        data = data.get(key, {})
    return data or None


def _check_page(page, kind, text, attributes):
    """The page prints `text` in its paragraph, JSON-LD and (sections, authors) meta tags, the paragraph with
    `attributes`, the meta tags with their `lang` alone."""
    _, _, path, summarised = SUBJECTS[kind]
    assert paragraph(page) == (attributes, text)
    assert json_ld_text(page, path) == text
    if summarised:
        lang = re.sub(r' dir="\w+"', "", attributes)
        for name in ("description", "og:description", "twitter:description"):
            assert meta(page, name) == [(text, lang)], name


# -- the pages ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", SUBJECTS)
def test_an_arabic_page_shows_the_arabic_description_or_bio(client, described, kind):
    page = read(client, "/ar" + SUBJECTS[kind][0])
    _check_page(page, kind, TEXTS[kind][1], "")
    assert TEXTS[kind][0] not in page


@pytest.mark.parametrize("kind", SUBJECTS)
def test_an_arabic_page_without_an_arabic_text_shows_the_english_one_marked_as_english(client, described, kind):
    page = read(client, "/ar" + SUBJECTS[kind][1])
    _check_page(page, kind, TEXTS[kind][2], ' lang="en" dir="ltr"')
    assert '<html lang="ar" dir="rtl">' in page


@pytest.mark.parametrize("kind", SUBJECTS)
def test_english_pages_show_the_english_text_as_before(client, described, kind):
    described_in_both, english_only, _, _ = SUBJECTS[kind]
    page = read(client, described_in_both)
    _check_page(page, kind, TEXTS[kind][0], "")
    assert TEXTS[kind][1] not in page
    _check_page(read(client, english_only), kind, TEXTS[kind][2], "")


def test_place_and_actor_pages_keep_news_about_them_as_their_summary(client, described):
    page = read(client, "/ar/actor/syrian-democratic-forces/")
    summary = "أخبار عن قوات سوريا الديمقراطية"
    assert meta(page, "description") == meta(page, "og:description") == [(summary, "")]


def test_an_english_description_written_in_arabic_is_marked_as_arabic_on_english_pages(client, described):
    # Written before there was an Arabic field: the English field holds Arabic text.
    sdf = Actor.objects.get(slug="syrian-democratic-forces")
    _describe(sdf, description="تحالف تقوده الفصائل الكردية في شمال شرق سوريا.")
    english = read(client, "/actor/syrian-democratic-forces/")
    assert paragraph(english) == (' lang="ar" dir="rtl"', sdf.description)
    arabic = read(client, "/ar/actor/syrian-democratic-forces/")
    assert paragraph(arabic) == ("", sdf.description)


def test_pages_of_entries_without_a_text_have_no_description(client, described):
    Section.objects.filter(slug="iraq-news").update(description="")
    page = read(client, "/ar/section/iraq-news/")
    assert paragraph(page) is None and json_ld_text(page, ("description",)) is None
    assert meta(page, "description") == []
    assert meta(page, "og:description") == [("أخبار عن أخبار العراق", "")]
    assert paragraph(read(client, "/ar/region/deir-ez-zor/")) is None


def test_the_rule_reads_the_arabic_text_in_the_arabic_edition_only(described):
    isis = Actor.objects.get(slug="islamic-state")
    assert text_in(isis, "description", "ar") == (ISIS_AR, "ar")
    assert text_in(isis, "description", "en") == (ISIS_EN, "en")
    isis.description = ""
    assert text_in(isis, "description", "en") == ("", "")  # the English edition never prints the Arabic text
    assert text_in(Author(bio="", bio_ar=""), "bio", "ar") == ("", "")


def test_a_description_given_later_shows_at_once_on_cached_arabic_pages(
    client, described, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    address = "/ar/actor/syrian-democratic-forces/"
    assert paragraph(read(client, address))[1] == SDF_EN
    with django_capture_on_commit_callbacks(execute=True):
        _describe(Actor.objects.get(slug="syrian-democratic-forces"), description_ar="تحالف تقوده القوات الكردية.")
    assert paragraph(read(client, address)) == ("", "تحالف تقوده القوات الكردية.")


# -- hostile text -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["description_ar", "description"])
def test_a_hostile_description_is_text_in_the_paragraph_the_meta_tags_and_the_structured_data(client, described, field):
    for model in (Region, Actor, Section):
        model.objects.update(**{field: HOSTILE})
    Author.objects.update(**{field.replace("description", "bio"): HOSTILE})
    for described_in_both, english_only, path, summarised in SUBJECTS.values():
        address = "/ar" + (described_in_both if field.endswith("_ar") else english_only)
        page = read(client, address)
        assert "<script>alert" not in page and "</p><b>" not in page, address
        assert ESCAPED in page, address
        assert paragraph(page)[1] == HOSTILE, address
        # In JSON-LD it is data: "<" and ">" are escaped there too, and it reads back as written.
        assert "<\\/script>" not in page and json_ld_text(page, path) == HOSTILE, address
        if summarised:
            assert [content for content, _ in meta(page, "og:description")] == [HOSTILE], address


# -- no query more ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address, pinned",
    [
        ("/section/syria-news/", 5),
        ("/section/iraq-news/", 5),
        ("/region/baghouz/", 6),
        ("/region/syria/", 6),
        ("/actor/islamic-state/", 4),
        ("/actor/syrian-democratic-forces/", 4),
        ("/author/rasha-khalil/", 4),
        ("/author/daniel-hartley/", 4),
    ],
)
def test_described_pages_run_the_queries_pinned_for_list_pages_in_both_editions(client, described, address, pinned):
    # The budgets of test_views.test_list_pages_run_a_fixed_number_of_queries: the subject is fetched once.
    assert page_queries(client, "/ar" + address) == page_queries(client, address) == pinned
    cache.clear()


# -- the desk -----------------------------------------------------------------------------------------------

# What each change form posts besides the Arabic text, and the field that holds it.
FORMS = {
    "region": (
        "baghouz",
        {"name": "Baghouz", "name_ar": "الباغوز", "slug": "baghouz", "kind": "city", "description": BAGHOUZ_EN},
        "description_ar",
    ),
    "actor": (
        "syrian-democratic-forces",
        {
            "name": "Syrian Democratic Forces",
            "name_ar": "قوات سوريا الديمقراطية",
            "slug": "syrian-democratic-forces",
            "kind": "armed_group",
            "description": SDF_EN,
        },
        "description_ar",
    ),
    "section": (
        "iraq-news",
        {"name": "Iraq News", "name_ar": "أخبار العراق", "slug": "iraq-news", "position": 0, "description": ""},
        "description_ar",
    ),
    "author": (
        "daniel-hartley",
        {"display_name": "Daniel Hartley", "name_ar": "", "slug": "daniel-hartley", "bio": DANIEL_EN},
        "bio_ar",
    ),
}
MODELS = {"region": Region, "actor": Actor, "section": Section, "author": Author}


def _post_data(kind, entry, text):
    _, data, field = FORMS[kind]
    data = {**data, field: text}
    if kind in ("region", "actor"):
        prefix = "aliases"
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def _entry(kind):
    return MODELS[kind].objects.get(slug=FORMS[kind][0])


@pytest.mark.parametrize("kind", FORMS)
def test_the_desk_writes_the_arabic_text_right_to_left_and_saves_it(client, admin_user_role, described, kind):
    client.force_login(admin_user_role)
    entry = _entry(kind)
    address = reverse(f"admin:articles_{kind}_change", args=[entry.pk])
    form = read(client, address)
    field = FORMS[kind][2]
    assert re.search(rf'<textarea name="{field}"[^>]*dir="rtl"[^>]*lang="ar"', form)
    english = "bio" if kind == "author" else "description"
    assert re.search(rf'<textarea name="{english}"[^>]*dir="auto"', form)
    text = "نص عربي يكتبه المحرر."
    response = client.post(address, _post_data(kind, entry, text))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert getattr(entry, field) == text
    page = read(client, "/ar" + entry.get_absolute_url().removeprefix("/ar"))
    assert paragraph(page) == ("", text)


@pytest.mark.parametrize("role", ["reporter", "editor", "publisher"])
@pytest.mark.parametrize("kind", FORMS)
def test_a_role_that_may_not_edit_the_vocabularies_cannot_write_an_arabic_text(client, request, described, role, kind):
    client.force_login(request.getfixturevalue(role))
    entry = _entry(kind)
    before = getattr(entry, FORMS[kind][2])
    response = client.post(
        reverse(f"admin:articles_{kind}_change", args=[entry.pk]), _post_data(kind, entry, "نص لا يحق له كتابته")
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert getattr(entry, FORMS[kind][2]) == before
