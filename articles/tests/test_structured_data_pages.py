"""What machines read on the pages that list stories: schema.org JSON-LD with breadcrumbs (via extruct), and
Open Graph and Twitter "summary" cards for sharing a section, a place, an actor or an author."""

from decimal import Decimal

import extruct
import pytest

from articles.models import Actor, Region
from articles.tests.factories import AuthorFactory, SectionFactory
from articles.tests.pictures import library_image
from articles.tests.publishing import fresh_cache, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def extract(client, address):
    html = client.get(address).content.decode()
    data = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld", "opengraph"])
    (graph,) = data["json-ld"] or [None]
    (opengraph,) = [dict(group["properties"]) for group in data["opengraph"]] or [{}]
    return html, graph, opengraph


def trail(graph):
    items = graph["breadcrumb"]["itemListElement"]
    assert [item["position"] for item in items] == list(range(1, len(items) + 1))
    return [(item["name"], item["item"]) for item in items]


def test_place_page_describes_the_place_where_it_lies_and_the_trail_down_to_it(client, places):
    Region.objects.filter(pk=places["baghouz"].pk).update(latitude=Decimal("34.483300"), longitude=Decimal("40.983300"))
    _, graph, opengraph = extract(client, "/region/baghouz/")
    assert graph["@type"] == "CollectionPage"
    assert graph["url"] == "http://testserver/region/baghouz/"
    assert trail(graph) == [
        ("Newsroom", "http://testserver/"),
        ("Syria", "http://testserver/region/syria/"),
        ("Deir ez-Zor Governorate", "http://testserver/region/deir-ez-zor-governorate/"),
        ("Baghouz", "http://testserver/region/baghouz/"),
    ]
    place = graph["about"]
    assert (place["@type"], place["name"], place["alternateName"]) == ("Place", "Baghouz", "الباغوز")
    assert place["geo"] == {"@type": "GeoCoordinates", "latitude": 34.4833, "longitude": 40.9833}
    assert place["containedInPlace"]["url"] == "http://testserver/region/deir-ez-zor-governorate/"
    assert opengraph["og:type"] == "website"
    assert opengraph["og:title"] == "Baghouz"
    assert opengraph["og:description"] == "News about Baghouz"
    assert opengraph["og:url"] == "http://testserver/region/baghouz/"


def test_the_trail_runs_from_the_top_whatever_order_the_places_were_entered_in(client):
    # The governorate is entered before its country (a lower id) and the country edited last (its row moves to
    # the end of the table in PostgreSQL), so either database may hand the chain over bottom first.
    governorate = Region.objects.create(name="Hasakah Governorate", slug="hasakah-governorate", kind="governorate")
    country = Region.objects.create(name="Syria", slug="syria", kind="country", iso_code="SY")
    Region.objects.filter(pk=governorate.pk).update(parent=country)
    Region.objects.filter(pk=country.pk).update(name_ar="سوريا")
    Region.objects.create(name="Qamishli", slug="qamishli", kind="city", parent=governorate)
    html, graph, _ = extract(client, "/region/qamishli/")
    assert [name for name, _ in trail(graph)] == ["Newsroom", "Syria", "Hasakah Governorate", "Qamishli"]
    assert html.index("/region/syria/") < html.index("/region/hasakah-governorate/")


def test_a_country_has_no_parent_and_no_coordinates_unless_the_gazetteer_gives_them(client, places):
    _, graph, _ = extract(client, "/region/syria/")
    assert trail(graph) == [("Newsroom", "http://testserver/"), ("Syria", "http://testserver/region/syria/")]
    assert "containedInPlace" not in graph["about"] and "geo" not in graph["about"]


def test_arabic_pages_name_things_in_arabic_with_the_english_name_as_the_other(client, places):
    html, graph, opengraph = extract(client, "/ar/region/baghouz/")
    assert graph["inLanguage"] == "ar"
    assert (graph["about"]["name"], graph["about"]["alternateName"]) == ("الباغوز", "Baghouz")
    assert trail(graph)[1] == ("سوريا", "http://testserver/ar/region/syria/")
    assert trail(graph)[2][0] == "Deir ez-Zor Governorate"  # no Arabic name: the English one
    assert opengraph["og:locale"] == "ar_AR"
    assert opengraph["og:title"] == "الباغوز"


def test_actor_page_says_whether_the_actor_is_a_person_or_an_organisation(client, actors):
    Actor.objects.filter(pk=actors["isis"].pk).update(description="Jihadist group that held territory in Syria.")
    html, graph, opengraph = extract(client, "/actor/islamic-state/")
    assert graph["about"]["@type"] == "Organization"
    assert graph["about"]["description"] == "Jihadist group that held territory in Syria."
    assert trail(graph)[-1] == ("Islamic State", "http://testserver/actor/islamic-state/")
    spokesman = Actor.objects.create(name="Mustafa Bali", slug="mustafa-bali", kind=Actor.Kind.PERSON)
    _, graph, _ = extract(client, spokesman.get_absolute_url())
    assert (graph["about"]["@type"], graph["about"]["name"]) == ("Person", "Mustafa Bali")
    assert "description" not in graph["about"]
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta name="twitter:title" content="Islamic State">' in html


def test_section_page_trail_runs_through_its_parent(client):
    parent = SectionFactory(name="Middle East", slug="middle-east")
    SectionFactory(name="Syria News", slug="syria-news", parent=parent, description="Daily news from Syria.")
    _, graph, opengraph = extract(client, "/section/syria-news/")
    assert trail(graph) == [
        ("Newsroom", "http://testserver/"),
        ("Middle East", "http://testserver/section/middle-east/"),
        ("Syria News", "http://testserver/section/syria-news/"),
    ]
    assert graph["description"] == opengraph["og:description"] == "Daily news from Syria."


def test_author_page_is_a_profile_of_the_person(client):
    author = AuthorFactory(display_name="Rania Khalil", slug="rania-khalil", bio="Reports from Deir ez-Zor & Raqqa.")
    story(headline="A story by Rania", authors=[author])
    html, graph, opengraph = extract(client, "/author/rania-khalil/")
    assert graph["@type"] == "ProfilePage"
    assert graph["mainEntity"] == {
        "@type": "Person",
        "name": "Rania Khalil",
        "url": "http://testserver/author/rania-khalil/",
        "description": "Reports from Deir ez-Zor & Raqqa.",
    }
    assert opengraph["og:description"] == "Reports from Deir ez-Zor & Raqqa."  # escaped once, not twice
    assert 'content="Reports from Deir ez-Zor &amp; Raqqa."' in html
    quiet = AuthorFactory(display_name="Omar Hassan", slug="omar-hassan", bio="")
    _, graph, opengraph = extract(client, quiet.get_absolute_url())
    assert "description" not in graph["mainEntity"]
    assert opengraph["og:description"] == "Stories by Omar Hassan"


def test_an_author_with_a_job_title_a_photo_and_profiles_is_described_with_them(client, media_root, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # the page is read again after a change
    photo = library_image(size=(600, 400), title="Rania Khalil portrait", alt_text="Rania Khalil on a rooftop")
    links = "https://x.com/raniakhalil\nmailto:rania@example.org\nhttps://www.linkedin.com/in/rania"
    author = AuthorFactory(
        display_name="Rania Khalil",
        slug="rania-khalil",
        name_ar="رانيا خليل",
        job_title="Syria correspondent",
        job_title_ar="مراسلة سوريا",
        photo=photo,
        profile_links=links,
    )
    story(headline="A story by Rania", authors=[author])
    _, graph, opengraph = extract(client, "/author/rania-khalil/")
    square = photo.renditions.get(spec="w1200-1x1.jpg")
    assert (square.width, square.height) == (400, 400)  # the largest square the picture holds, never enlarged
    image = f"http://testserver{square.url}"
    person = graph["mainEntity"]
    assert person["jobTitle"] == "Syria correspondent"
    assert person["image"] == image
    # Profiles are the person's other pages; an e-mail address is not one.
    assert person["sameAs"] == ["https://x.com/raniakhalil", "https://www.linkedin.com/in/rania"]
    assert opengraph["og:image"] == image
    assert (opengraph["og:image:width"], opengraph["og:image:height"]) == ("400", "400")
    assert opengraph["og:image:alt"] == "Rania Khalil on a rooftop"
    html, arabic, arabic_card = extract(client, "/ar/author/rania-khalil/")
    assert (arabic["mainEntity"]["name"], arabic["mainEntity"]["jobTitle"]) == ("رانيا خليل", "مراسلة سوريا")
    assert arabic["mainEntity"]["image"] == arabic_card["og:image"] == image
    assert 'name="twitter:image" content="' + image in html
    assert 'name="twitter:card" content="summary"' in html  # a square picture: the summary card shows it whole
    # Without an Arabic job title, the Arabic page's Person has the English one (as its bio).
    author.job_title_ar = ""
    author.save()
    _, arabic, _ = extract(client, "/ar/author/rania-khalil/")
    assert arabic["mainEntity"]["jobTitle"] == "Syria correspondent"


def test_an_author_with_only_an_email_has_no_same_as_and_no_picture(client):
    AuthorFactory(display_name="Omar Hassan", slug="omar-hassan", profile_links="mailto:omar@example.org")
    _, graph, opengraph = extract(client, "/author/omar-hassan/")
    assert graph["mainEntity"] == {
        "@type": "Person",
        "name": "Omar Hassan",
        "url": "http://testserver/author/omar-hassan/",
    }
    assert "og:image" not in opengraph


def test_front_page_describes_the_site_and_how_to_search_it(client):
    _, graph, opengraph = extract(client, "/")
    assert graph["@type"] == "WebSite"
    assert graph["url"] == "http://testserver/"
    target = graph["potentialAction"]["target"]["urlTemplate"]
    assert target == "http://testserver/search/?q={search_term_string}"
    assert opengraph["og:title"] == "Newsroom"
    _, arabic, _ = extract(client, "/ar/")
    assert arabic["potentialAction"]["target"]["urlTemplate"] == "http://testserver/ar/search/?q={search_term_string}"


def test_names_cannot_break_out_of_the_json_ld_or_the_meta_tags(client, places):
    hostile = '</script><script>alert(1)</script>"><img src=x onerror=alert(2)>'
    Region.objects.filter(pk=places["baghouz"].pk).update(name=f"Baghouz {hostile}")
    html, graph, opengraph = extract(client, "/region/baghouz/")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert graph["about"]["name"] == f"Baghouz {hostile}"  # intact for machines
    assert opengraph["og:title"] == f"Baghouz {hostile}"


def test_the_corrections_page_has_a_sharing_card(client):
    _, graph, opengraph = extract(client, "/corrections/")
    assert graph is None
    assert opengraph["og:title"] == "Corrections and updates"
    assert opengraph["og:description"].startswith("Every correction, clarification, update and retraction")
