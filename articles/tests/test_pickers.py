"""The desk's pickers in each admin language.

In the Arabic admin, the article form names its places, actors, section and dateline place as it names its
authors: by the Arabic name with the English one in brackets (`desk_name`), whether chosen, found while
typing, suggested by the tagger, shown read only or listed. Every picker finds an entry by its English name,
its Arabic name or any alias, in any spelling that folds alike. The English admin reads as before, the form
runs the same queries whatever the number of entries, and what is saved does not change.
"""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Actor, Article, Region
from articles.models.taxonomy import desk_name
from articles.tests.factories import ActorFactory, AuthorFactory, RegionFactory, SectionFactory, UserFactory
from articles.tests.publishing import story

pytestmark = pytest.mark.django_db

PICKER_SEARCH = "admin:articles_article_picker_search"


@pytest.fixture
def sections(db):
    """Iraq News > Local News, both named in Arabic; Opinion, with no Arabic name, and its Arabic-named Analysis."""
    iraq = SectionFactory(name="Iraq News", name_ar="أخبار العراق", slug="iraq-news")
    local = SectionFactory(name="Local News", name_ar="أخبار محلية", slug="local-news", parent=iraq)
    opinion = SectionFactory(name="Opinion", slug="opinion", position=1)
    analysis = SectionFactory(name="Analysis", name_ar="تحليل", slug="analysis", parent=opinion, position=1)
    return {"iraq": iraq, "local": local, "opinion": opinion, "analysis": analysis}


@pytest.fixture
def raqqa(places):
    """Raqqa, whose Arabic name the desk typed without making it an alias, and the governorate named after it."""
    governorate = RegionFactory(
        name="Ar-Raqqa Governorate", slug="ar-raqqa-governorate", name_ar="محافظة الرقة", kind="governorate"
    )
    city = RegionFactory(name="Raqqa", slug="raqqa", name_ar="الرقة", parent=governorate)
    return {"city": city, "governorate": governorate}


def desk(client, user, language):
    """`client` signed in as `user`, the admin switched to `language` with its language menu."""
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": language, "next": "/admin/"})
    return client


def read(client, address, **params):
    response = client.get(address, params)
    assert response.status_code == 200, address
    return response.content.decode()


def select(page, name):
    return re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)


def chosen(page, name):
    """The labels of the entries the form shows as chosen in its field `name` (Select2 makes its chips of them)."""
    return [
        html.unescape(label) for label in re.findall(r"<option[^>]*selected[^>]*>([^<]*)</option>", select(page, name))
    ]


def asks(page, name):
    """Where the field `name`'s picker asks for entries while the desk types."""
    return html.unescape(re.search(r'data-ajax--url="([^"]+)"', select(page, name)).group(1))


def found(client, term, field, model="article"):
    """The labels of what the picker of `model`'s `field` offers for `term`, best first."""
    response = client.get(
        reverse(PICKER_SEARCH), {"term": term, "app_label": "articles", "model_name": model, "field_name": field}
    )
    assert response.status_code == 200, (term, field)
    return [result["text"] for result in response.json()["results"]]


def read_only(page, field):
    """The text a read-only form shows for `field`."""
    cell = page[page.index(f"field-{field}") :]
    return html.unescape(re.search(r'<div class="readonly">(.*?)</div>', cell, re.S).group(1))


ARTICLE_POST = {"embargo_until_0": "", "embargo_until_1": "", "dateline_time_0": "", "dateline_time_1": ""}


# -- the rule ------------------------------------------------------------------------------------------------


def test_one_rule_names_places_actors_sections_and_authors_for_each_admin_language(places, actors, sections):
    labels = {
        places["deir"]: ("Deir ez-Zor", "دير الزور (Deir ez-Zor)"),
        places["deir_gov"]: ("Deir ez-Zor Governorate", "Deir ez-Zor Governorate"),  # no Arabic name
        actors["isis"]: ("Islamic State", "تنظيم الدولة الإسلامية (Islamic State)"),
        sections["iraq"]: ("Iraq News", "أخبار العراق (Iraq News)"),
        # A section is named with its parent, each part in Arabic where it has an Arabic name.
        sections["local"]: ("Iraq News > Local News", "أخبار العراق > أخبار محلية (Iraq News > Local News)"),
        sections["opinion"]: ("Opinion", "Opinion"),
        sections["analysis"]: ("Opinion > Analysis", "Opinion > تحليل (Opinion > Analysis)"),
        AuthorFactory(display_name="Rasha Khalil", name_ar="رشا خليل"): ("Rasha Khalil", "رشا خليل (Rasha Khalil)"),
        # An Arabic name that is the English one is not said twice.
        ActorFactory(name="BBC", slug="bbc", name_ar="BBC"): ("BBC", "BBC"),
    }
    for entry, (english, arabic) in labels.items():
        assert (entry.desk_label("en"), entry.desk_label("ar")) == (english, arabic), entry
    assert desk_name("Raqqa", "الرقة", "ar") == "الرقة (Raqqa)"
    assert desk_name("Raqqa", "الرقة", "en") == desk_name("Raqqa", "", "ar") == "Raqqa"


# -- the article form ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "en",
            {
                "section": ["Iraq News > Local News"],
                "regions": ["Deir ez-Zor", "Deir ez-Zor Governorate", "Iraq"],
                "actors": ["Islamic State", "Syrian Democratic Forces"],
                "dateline_place": ["Baghdad"],
            },
        ),
        (
            "ar",
            {
                "section": ["أخبار العراق > أخبار محلية (Iraq News > Local News)"],
                # In the order of the Arabic alphabet, then the place that has no Arabic name.
                "regions": ["العراق (Iraq)", "دير الزور (Deir ez-Zor)", "Deir ez-Zor Governorate"],
                "actors": [
                    "تنظيم الدولة الإسلامية (Islamic State)",
                    "قوات سوريا الديمقراطية (Syrian Democratic Forces)",
                ],
                "dateline_place": ["بغداد (Baghdad)"],
            },
        ),
    ],
)
def test_the_article_form_names_its_chosen_entries_in_the_admins_language(
    client, editor, places, actors, sections, language, expected
):
    article = story(
        Article.Status.DRAFT,
        section=sections["local"],
        regions=[places["iraq"], places["deir"], places["deir_gov"]],
        actors=[actors["isis"], actors["sdf"]],
        dateline_place=places["baghdad"],
    )
    page = read(desk(client, editor, language), reverse("admin:articles_article_change", args=[article.pk]))
    assert {name: chosen(page, name) for name in expected} == expected
    # Every one of them searches through the view that labels what it finds the same way.
    assert {asks(page, name) for name in (*expected, "authors")} == {reverse(PICKER_SEARCH)}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_change_form_runs_the_same_queries_for_one_place_and_actor_or_many(client, editor, sections, language):
    desk(client, editor, language)
    regions = [RegionFactory(name=f"Village {n}", name_ar=f"قرية {n}" if n % 2 else "") for n in range(6)]
    actors = [ActorFactory(name=f"Tribe {n}", name_ar=f"عشيرة {n}" if n % 2 else "") for n in range(6)]
    counts = {}
    for size in (1, 6):
        article = story(
            Article.Status.DRAFT,
            headline=f"Story with {size}",
            section=sections["local"],
            dateline_place=regions[0],
            regions=regions[:size],
            actors=actors[:size],
        )
        address = reverse("admin:articles_article_change", args=[article.pk])
        client.get(address)  # the tagger's gazetteer, built once per process
        with CaptureQueriesContext(connection) as queries:
            page = read(client, address)
        counts[size] = len(queries)
        # In the Arabic admin the entries with an Arabic name come first.
        order = sorted(range(size), key=lambda n: n % 2 == 0) if language == "ar" else range(size)
        arabic = language == "ar"
        assert chosen(page, "regions") == [
            f"قرية {n} (Village {n})" if arabic and n % 2 else f"Village {n}" for n in order
        ]
        assert chosen(page, "actors") == [f"عشيرة {n} (Tribe {n})" if arabic and n % 2 else f"Tribe {n}" for n in order]
        assert chosen(page, "section") == [sections["local"].desk_label(language)]
    # The chosen places and the chosen actors are read and labelled in one query each, the section with its
    # parent in one, whatever their number (the whole form: 28, one of them the stories chosen for the related
    # box, read for the form even when there are none).
    assert counts[1] == counts[6] == 28, counts


def test_the_arabic_admin_saves_the_entries_picked_and_refuses_names_typed_in_their_place(
    client, editor, places, actors, sections
):
    desk(client, editor, "ar")
    add = reverse("admin:articles_article_add")
    story_fields = {"language": "ar", "headline": "سقوط الباغوز", "slug": "سقوط-الباغوز", **ARTICLE_POST}
    # A name, Arabic or English, in place of an entry: the form says so and nothing is saved or created.
    for forged in ({"regions": ["دير الزور"]}, {"actors": ["داعش"]}, {"regions": ["Atlantis"]}, {"regions": [99999]}):
        response = client.post(add, {**story_fields, **forged})
        assert response.status_code == 200, forged
        assert "errorlist" in response.content.decode(), forged
    assert not Article.objects.exists()
    assert Region.objects.count() == len(places)

    response = client.post(
        add,
        {
            **story_fields,
            "section": sections["local"].pk,
            "regions": [places["deir"].pk, places["baghouz"].pk],
            "actors": [actors["isis"].pk],
            "dateline_place": places["deir"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Article.objects.get()
    assert saved.section == sections["local"] and saved.dateline_place == places["deir"]
    assert sorted(saved.regions.values_list("slug", flat=True)) == ["baghouz", "deir-ez-zor"]
    assert list(saved.actors.all()) == [actors["isis"]]


# -- searching -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["regions", "dateline_place"])
def test_a_place_is_found_by_its_english_or_arabic_name_or_an_alias_in_any_spelling(
    client, editor, places, raqqa, field
):
    desk(client, editor, "ar")
    deir = ["دير الزور (Deir ez-Zor)"]
    # English name (the governorate's starts with it), English aliases, the Arabic name (also an alias here),
    # with a shadda the desk left in.
    assert found(client, "Deir ez-Zor", field) == [*deir, "Deir ez-Zor Governorate"]
    for term in ("deir ezzor", "Deir al-Zour", "دير الزور", "دير الزّور"):
        assert found(client, term, field) == deir, term
    # An Arabic name that is no alias: found as typed or without its taa marbuta, the name itself first; or by
    # a part of it, then in the order of the English names.
    for term in ("الرقة", "الرقه"):
        assert found(client, term, field) == ["الرقة (Raqqa)", "محافظة الرقة (Ar-Raqqa Governorate)"], term
    assert found(client, "رقة", field) == ["محافظة الرقة (Ar-Raqqa Governorate)", "الرقة (Raqqa)"]
    # Typed in English, labelled in Arabic all the same; an entry with no Arabic name by its English one.
    assert found(client, "Raqqa", field) == ["الرقة (Raqqa)", "محافظة الرقة (Ar-Raqqa Governorate)"]
    assert found(client, "governorate", field) == ["محافظة الرقة (Ar-Raqqa Governorate)", "Deir ez-Zor Governorate"]
    assert found(client, "محافظة", field) == ["محافظة الرقة (Ar-Raqqa Governorate)"]
    assert found(client, "Atlantis", field) == found(client, "أطلانتس", field) == []


def test_an_actor_is_found_by_its_english_or_arabic_name_or_an_alias_in_any_spelling(client, editor, actors):
    desk(client, editor, "ar")
    isis = ["تنظيم الدولة الإسلامية (Islamic State)"]
    for term in ("Islamic State", "Daesh", "da'ish", "ISIL", "داعش", "تنظيم الدولة الإسلامية", "الدوله الاسلاميه"):
        assert found(client, term, "actors") == isis, term
    for term in ("SDF", "قسد", "قوات سوريا"):
        assert found(client, term, "actors") == ["قوات سوريا الديمقراطية (Syrian Democratic Forces)"], term


def test_the_english_admins_pickers_find_by_arabic_names_and_label_in_english(client, editor, places, actors, raqqa):
    desk(client, editor, "en")
    assert found(client, "الرقه", "regions") == ["Raqqa", "Ar-Raqqa Governorate"]
    assert found(client, "دير الزور", "dateline_place") == ["Deir ez-Zor"]
    assert found(client, "داعش", "actors") == ["Islamic State"]


def test_an_exact_arabic_name_comes_before_names_that_hold_it(client, editor, places):
    desk(client, editor, "ar")
    # By their English names these come Al-Baghdadi Quarter, Baghdad, Greater Baghdad.
    RegionFactory(name="Al-Baghdadi Quarter", slug="al-baghdadi-quarter", name_ar="حي بغداد القديمة")
    RegionFactory(name="Greater Baghdad", slug="greater-baghdad", name_ar="بغداد الكبرى")
    assert found(client, "بغداد", "regions") == [
        "بغداد (Baghdad)",  # the name typed
        "بغداد الكبرى (Greater Baghdad)",  # a name starting with it
        "حي بغداد القديمة (Al-Baghdadi Quarter)",  # a name holding it further on
    ]


@pytest.mark.parametrize(
    "language, term, expected",
    [
        ("ar", "اخبار", ["أخبار العراق (Iraq News)", "أخبار العراق > أخبار محلية (Iraq News > Local News)"]),
        ("ar", "محلية", ["أخبار العراق > أخبار محلية (Iraq News > Local News)"]),
        ("ar", "Local", ["أخبار العراق > أخبار محلية (Iraq News > Local News)"]),
        ("ar", "local-news", ["أخبار العراق > أخبار محلية (Iraq News > Local News)"]),
        # In the sections' order (position, then English name), as the site's navigation has them.
        ("ar", "opinion", ["Opinion > تحليل (Opinion > Analysis)", "Opinion"]),
        ("ar", "تحليل", ["Opinion > تحليل (Opinion > Analysis)"]),
        ("ar", "Sport", []),
        ("en", "اخبار", ["Iraq News", "Iraq News > Local News"]),
        ("en", "analysis", ["Opinion > Analysis"]),
    ],
)
def test_a_section_is_found_by_its_or_its_parents_names_in_either_language(
    client, editor, sections, language, term, expected
):
    desk(client, editor, language)
    assert found(client, term, "section") == expected


def test_the_section_picker_runs_the_same_queries_for_few_sections_or_many(client, editor, sections):
    desk(client, editor, "ar")

    def searched():
        with CaptureQueriesContext(connection) as queries:
            labels = found(client, "", "section")
        return len(queries), labels

    few, labels = searched()
    assert len(labels) == 4
    for n in range(6):
        SectionFactory(name=f"Province {n}", name_ar=f"محافظة {n}", parent=sections["iraq"])
    many, labels = searched()
    assert len(labels) == 10 and "أخبار العراق > محافظة 5 (Iraq News > Province 5)" in labels
    assert few == many, (few, many)


def test_the_vocabularies_own_pickers_name_places_as_the_article_form_does(
    client, admin_user_role, places, actors, sections
):
    desk(client, admin_user_role, "ar")
    actors["sdf"].home_region = places["syria"]
    actors["sdf"].save()
    region = read(client, reverse("admin:articles_region_change", args=[places["deir"].pk]))
    assert chosen(region, "parent") == ["Deir ez-Zor Governorate"]
    assert chosen(read(client, reverse("admin:articles_region_change", args=[places["iraq"].pk])), "parent") == []
    actor = read(client, reverse("admin:articles_actor_change", args=[actors["sdf"].pk]))
    assert chosen(actor, "home_region") == ["سوريا (Syria)"]
    section = read(client, reverse("admin:articles_section_change", args=[sections["local"].pk]))
    assert chosen(section, "parent") == ["أخبار العراق (Iraq News)"]
    assert found(client, "سورية", "parent", model="region") == ["سوريا (Syria)"]
    assert found(client, "سوريا", "home_region", model="actor") == ["سوريا (Syria)"]
    assert found(client, "العراق", "parent", model="section") == [
        "أخبار العراق (Iraq News)",
        "أخبار العراق > أخبار محلية (Iraq News > Local News)",
    ]
    # The picture library's tags too.
    assert found(client, "داعش", "actors", model="image") == ["تنظيم الدولة الإسلامية (Islamic State)"]


def test_the_picker_search_keeps_its_permission_checks(client, places):
    outsider = UserFactory(username="outsider", is_staff=True)  # staff, but in no role
    desk(client, outsider, "ar")
    query = {"term": "بغداد", "app_label": "articles", "model_name": "article", "field_name": "regions"}
    response = client.get(reverse(PICKER_SEARCH), query)
    assert response.status_code == 403 and "بغداد" not in response.content.decode()


# -- suggestions, read-only forms and lists ------------------------------------------------------------------


@pytest.fixture
def suggested(places, actors):
    """A story tagged Syria whose text names Baghouz and the SDF: the tagger suggests both."""
    article = story(Article.Status.DRAFT, headline="SDF push in Baghouz", body="<p>The SDF entered Baghouz.</p>")
    article.regions.add(places["syria"])
    return article


def suggestions(page):
    """Each suggestion's entry as the desk reads it (the markup inside its form, before the kind)."""
    section = page.split('id="tag-suggestions"')[1].split("</section>")[0]
    entries = re.findall(r'name="entry" value="\d+">(?:<input [^>]*>)?\s*(.*?)\s*<small>', section, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", entry)) for entry in entries], entries


def test_the_arabic_admins_tag_suggestions_name_entries_as_the_pickers_do(client, editor, suggested):
    desk(client, editor, "ar")
    address = reverse("admin:articles_article_change", args=[suggested.pk])
    texts, markup = suggestions(read(client, address))
    assert texts == ["الباغوز (Baghouz)", "قوات سوريا الديمقراطية (Syrian Democratic Forces)"]
    assert markup[0] == "<bdi>الباغوز (Baghouz)</bdi>"  # isolated from the text around it
    decide = reverse("article_tag_suggestions", args=[suggested.pk])
    baghouz, sdf = Region.objects.get(slug="baghouz"), Actor.objects.get(slug="syrian-democratic-forces")
    accepted = client.post(
        decide, {"kind": "region", "entry": baghouz.pk, "decision": "accept", "version": suggested.version}, follow=True
    )
    assert "أُضيف الوسم الباغوز (Baghouz)." in html.unescape(accepted.content.decode())
    rejected = client.post(decide, {"kind": "actor", "entry": sdf.pk, "decision": "reject"}, follow=True)
    assert "لن يُقترح قوات سوريا الديمقراطية (Syrian Democratic Forces) لهذا المقال مرة أخرى." in html.unescape(
        rejected.content.decode()
    )


def test_the_english_admins_tag_suggestions_still_give_both_names(client, editor, suggested):
    desk(client, editor, "en")
    texts, markup = suggestions(read(client, reverse("admin:articles_article_change", args=[suggested.pk])))
    assert texts == ["Baghouz (الباغوز)", "Syrian Democratic Forces (قوات سوريا الديمقراطية)"]
    assert markup[0] == '<bdi>Baghouz</bdi> (<bdi lang="ar" dir="rtl">الباغوز</bdi>)'
    decide = reverse("article_tag_suggestions", args=[suggested.pk])
    baghouz = Region.objects.get(slug="baghouz")
    accepted = client.post(
        decide, {"kind": "region", "entry": baghouz.pk, "decision": "accept", "version": suggested.version}, follow=True
    )
    assert "Tagged with Baghouz." in accepted.content.decode()


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "en",
            {
                "section_label": "Iraq News > Local News",
                "region_labels": "Deir ez-Zor Governorate, Deir ez-Zor",  # in tagging order
                "actor_labels": "Islamic State",
                "dateline_label": "Baghdad",
            },
        ),
        (
            "ar",
            {
                "section_label": "أخبار العراق > أخبار محلية (Iraq News > Local News)",
                "region_labels": "Deir ez-Zor Governorate، دير الزور (Deir ez-Zor)",
                "actor_labels": "تنظيم الدولة الإسلامية (Islamic State)",
                "dateline_label": "بغداد (Baghdad)",
            },
        ),
    ],
)
def test_a_story_its_viewer_may_not_edit_names_its_entries_as_the_pickers_do(
    client, reporter, places, actors, sections, language, expected
):
    submitted = story(
        Article.Status.SUBMITTED,
        created_by=reporter,
        section=sections["local"],
        regions=[places["deir"], places["deir_gov"]],
        actors=[actors["isis"]],
        dateline_place=places["baghdad"],
    )
    page = read(desk(client, reporter, language), reverse("admin:articles_article_change", args=[submitted.pk]))
    assert {field: read_only(page, field) for field in expected} == expected
    assert '<select name="regions"' not in page


def test_the_arabic_admins_lists_name_sections_places_and_actors_as_the_pickers_do(
    client, admin_user_role, places, actors, sections
):
    actors["sdf"].home_region = places["syria"]
    actors["sdf"].save()
    story(section=sections["local"], regions=[places["deir"]], actors=[actors["isis"]])
    desk(client, admin_user_role, "ar")
    articles = read(client, reverse("admin:articles_article_changelist"))
    assert "أخبار العراق &gt; أخبار محلية (Iraq News &gt; Local News)</td>" in articles  # the Section column
    filters = html.unescape(articles[articles.index('id="changelist-filter"') :])
    for option in ("أخبار العراق > أخبار محلية (Iraq News > Local News)", "Opinion > تحليل (Opinion > Analysis)"):
        assert f"{option}</a>" in filters  # by section
    assert "دير الزور (Deir ez-Zor)</a>" in filters and "تنظيم الدولة الإسلامية (Islamic State)</a>" in filters
    regions = html.unescape(read(client, reverse("admin:articles_region_changelist")))
    assert '<td class="field-parent_label">سوريا (Syria)</td>' in regions  # Deir ez-Zor Governorate's
    assert '<td class="field-home_region_label">سوريا (Syria)</td>' in html.unescape(
        read(client, reverse("admin:articles_actor_changelist"))
    )
    listed = html.unescape(read(client, reverse("admin:articles_section_changelist")))
    assert "أخبار العراق > أخبار محلية (Iraq News > Local News)</a>" in listed
    # The lists' searches fold as the pickers' do.
    assert "Local News" in read(client, reverse("admin:articles_section_changelist"), q="محليه")
    assert "Raqqa" not in read(client, reverse("admin:articles_region_changelist"), q="بغداد")


def test_the_english_admins_lists_name_sections_and_places_as_before(client, admin_user_role, places, sections):
    story(section=sections["local"], regions=[places["deir"]])
    desk(client, admin_user_role, "en")
    assert "Iraq News &gt; Local News</td>" in read(client, reverse("admin:articles_article_changelist"))
    regions = read(client, reverse("admin:articles_region_changelist"))
    assert '<td class="field-parent_label">Syria</td>' in regions
    assert "Iraq News &gt; Local News</a>" in read(client, reverse("admin:articles_section_changelist"))


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_lists_run_the_same_queries_with_more_sections_and_places(client, admin_user_role, sections, language):
    desk(client, admin_user_role, language)
    lists = [reverse(f"admin:articles_{model}_changelist") for model in ("article", "section", "region", "actor")]

    def counts():
        result = []
        for address in lists:
            with CaptureQueriesContext(connection) as queries:
                read(client, address)
            result.append(len(queries))
        return result

    parent = RegionFactory(name="Syria", name_ar="سوريا", kind="country")
    ActorFactory(name="Syrian Army", name_ar="الجيش السوري", home_region=parent)
    story(section=sections["local"], regions=[parent])
    before = counts()
    for n in range(5):
        section = SectionFactory(name=f"Province {n}", name_ar=f"محافظة {n}", parent=sections["iraq"])
        place = RegionFactory(name=f"Town {n}", name_ar=f"بلدة {n}", parent=parent)
        ActorFactory(name=f"Tribe {n}", name_ar=f"عشيرة {n}", home_region=place)
        story(section=section, regions=[place])
    assert counts() == before
