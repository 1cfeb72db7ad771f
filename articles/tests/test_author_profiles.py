"""Who the journalist is, on their page: a job title in each edition (the English one marked as English on an
Arabic page), a square photo with its alt text, their public profiles linked with `rel="me"`, all of it in
the page's structured data and sharing card; addresses checked line by line; no query more; the desk refused
a photo that says nothing to readers who cannot see it."""

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles.images import delete_images
from articles.models import Author, Rendition
from articles.profile_links import ProfileLink, profile_links
from articles.tests.factories import AuthorFactory
from articles.tests.pictures import library_image
from articles.tests.publishing import fresh_cache, page_queries, story  # noqa: F401 - fresh_cache is a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

# Typed as a desk might: a blank line, spaces around one address, one address twice.
LINKS = "\n".join(
    [
        "https://x.com/rashakhalil",
        "https://www.linkedin.com/in/rasha-khalil",
        "",
        "https://mastodon.social/@rasha",
        "  mailto:rasha@example.org  ",
        "https://x.com/rashakhalil",
    ]
)
SHOWN_LINKS = [
    ("https://x.com/rashakhalil", "x.com"),
    ("https://www.linkedin.com/in/rasha-khalil", "linkedin.com"),
    ("https://mastodon.social/@rasha", "mastodon.social"),
    ("mailto:rasha@example.org", "rasha@example.org"),
]
PHOTO_ALT = "Rasha Khalil, smiling, in front of the Umayyad Mosque"


@pytest.fixture
def writers(settings, media_root):
    """Rasha Khalil with everything (job titles in both languages, a photo, links); Daniel Hartley with an
    English job title only; Omar Saleh with none of it. Each has a story in each edition; the page cache off."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    photo = library_image(size=(600, 400), title="Rasha Khalil portrait", alt_text=PHOTO_ALT)
    writers = {
        "rasha": AuthorFactory(
            display_name="Rasha Khalil",
            slug="rasha-khalil",
            name_ar="رشا خليل",
            job_title="Syria correspondent",
            job_title_ar="مراسلة سوريا",
            photo=photo,
            profile_links=LINKS,
        ),
        "daniel": AuthorFactory(display_name="Daniel Hartley", slug="daniel-hartley", job_title="Water columnist"),
        "omar": AuthorFactory(display_name="Omar Saleh", slug="omar-saleh"),
    }
    for author in writers.values():
        story(headline=f"A story by {author.display_name}", authors=[author])
        story(headline=f"قصة {author.pk}", slug=f"ar-{author.pk}", language="ar", authors=[author])
    return writers


def read(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


def job_title(page):
    """The job title under the name as (its attributes beyond the class, its text), or None."""
    found = re.findall(r'<p class="job-title"([^>]*)>(.*?)</p>', page, re.S)
    assert len(found) <= 1
    return (found[0][0], html.unescape(found[0][1])) if found else None


def shown_links(page):
    """The profile links as (address, label, rel) in the order the page shows them."""
    found = re.search(r'<ul class="profile-links">(.*?)</ul>', page, re.S)
    if not found:
        return []
    links = re.findall(r'<a href="([^"]*)" rel="([^"]*)"><bdi>(.*?)</bdi></a>', found.group(1))
    return [(html.unescape(address), html.unescape(label), rel) for address, rel, label in links]


def photo_img(page):
    """The attributes of the photo's `<img>`, or None when the page shows none."""
    found = re.findall(r'<picture>.*?<img ([^>]*class="author-photo"[^>]*)>.*?</picture>', page, re.S)
    assert len(found) <= 1
    return dict(re.findall(r'([\w-]+)="([^"]*)"', found[0])) if found else None


# -- the page -----------------------------------------------------------------------------------------------


def test_each_edition_shows_the_job_title_in_its_own_language(client, writers):
    english = read(client, "/author/rasha-khalil/")
    assert job_title(english) == ("", "Syria correspondent")
    assert "مراسلة سوريا" not in english
    arabic = read(client, "/ar/author/rasha-khalil/")
    assert job_title(arabic) == ("", "مراسلة سوريا")
    assert "Syria correspondent" not in arabic
    # Under the name, before the bio and the feeds.
    assert arabic.index("<h1>") < arabic.index('class="job-title"') < arabic.index('class="feeds"')


def test_an_arabic_page_without_an_arabic_job_title_shows_the_english_one_marked_as_english(client, writers):
    assert job_title(read(client, "/ar/author/daniel-hartley/")) == (' lang="en" dir="ltr"', "Water columnist")
    assert job_title(read(client, "/author/daniel-hartley/")) == ("", "Water columnist")


def test_an_english_job_title_written_in_arabic_is_marked_as_arabic_on_the_english_page(client, writers):
    Author.objects.filter(slug="daniel-hartley").update(job_title="كاتب عمود عن المياه")
    assert job_title(read(client, "/author/daniel-hartley/")) == (' lang="ar" dir="rtl"', "كاتب عمود عن المياه")


@pytest.mark.parametrize("edition", ["", "/ar"])
def test_profiles_are_linked_by_host_name_or_address_as_the_journalists_own(client, writers, edition):
    page = read(client, f"{edition}/author/rasha-khalil/")
    # Blank lines and surrounding spaces ignored, the same address once, in the desk's order.
    assert shown_links(page) == [(address, label, "me noopener") for address, label in SHOWN_LINKS]


@pytest.mark.parametrize("edition", ["", "/ar"])
def test_the_photo_is_a_square_crop_with_its_alt_text_loaded_at_once(client, writers, edition):
    page = read(client, f"{edition}/author/rasha-khalil/")
    img = photo_img(page)
    assert img["alt"] == PHOTO_ALT
    assert img["loading"] == "eager"
    assert img["width"] == img["height"]
    assert "-1x1-" in img["src"] and "-1x1-" in img["srcset"]
    assert '<source type="image/webp" srcset="' in page
    assert '<header class="page-header with-photo">' in page
    # The picture's alt text only: its caption and credit belong to stories, not to a portrait.
    assert "Families wait at a checkpoint." not in page


def test_a_decorative_photo_has_an_empty_alt(client, writers):
    photo = writers["rasha"].photo
    photo.alt_text, photo.decorative = "", True
    photo.save()
    assert photo_img(read(client, "/author/rasha-khalil/"))["alt"] == ""


def test_an_author_without_a_job_title_photo_or_links_shows_none_of_them(client, writers):
    page = read(client, "/author/omar-saleh/")
    assert job_title(page) is None and shown_links(page) == [] and photo_img(page) is None
    assert '<header class="page-header">' in page
    assert 'property="og:image' not in page and 'name="twitter:image' not in page


def test_a_hostile_job_title_and_link_are_text(client, writers):
    hostile = '<script>alert("x")</script></p><b>'
    link = 'https://example.org/"onmouseover="alert(1)'
    Author.objects.filter(slug="rasha-khalil").update(job_title_ar=hostile, profile_links=link)
    page = read(client, "/ar/author/rasha-khalil/")
    assert "<script>alert" not in page and 'onmouseover="alert' not in page
    assert job_title(page) == ("", hostile)
    assert shown_links(page) == [(link, "example.org", "me noopener")]


def test_a_line_saved_around_the_checks_never_becomes_a_link(client, writers):
    Author.objects.filter(slug="rasha-khalil").update(profile_links="javascript:alert(1)\nhttps://x.com/rasha")
    page = read(client, "/author/rasha-khalil/")
    assert shown_links(page) == [("https://x.com/rasha", "x.com", "me noopener")]
    assert "javascript:" not in page


# -- the photo's renditions and the query budget ------------------------------------------------------------


@pytest.mark.parametrize("edition", ["", "/ar"])
def test_the_author_page_runs_its_four_queries_with_a_photo_a_job_title_and_links(client, writers, edition):
    # The budget pinned in test_views: the author (with the photo and its renditions in the same row), the count
    # of their stories, the page of stories, their bylines.
    client.get(f"{edition}/author/omar-saleh/")  # the menu, cached for every page
    client.get(f"{edition}/author/rasha-khalil/")  # the photo's renditions, made on the first view
    assert (
        page_queries(client, f"{edition}/author/rasha-khalil/", warm=False)
        == page_queries(client, f"{edition}/author/omar-saleh/", warm=False)
        == 4
    )


def test_the_photos_renditions_are_made_once_on_the_first_view_and_only_read_after(client, writers):
    photo = writers["rasha"].photo
    before = Rendition.objects.filter(image=photo).count()
    read(client, "/author/rasha-khalil/")
    made = Rendition.objects.filter(image=photo).count()
    assert made > before
    specs = set(Rendition.objects.filter(image=photo).values_list("spec", flat=True))
    assert "w1200-1x1.jpg" in specs and any(spec.endswith("-1x1.webp") for spec in specs)
    for address in ("/author/rasha-khalil/", "/ar/author/rasha-khalil/", "/author/rasha-khalil/?page=2"):
        read(client, address)
    assert Rendition.objects.filter(image=photo).count() == made


def test_a_deleted_photo_leaves_a_working_page_without_it(
    client, writers, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    assert photo_img(read(client, "/author/rasha-khalil/")) is not None  # now in the page cache
    with django_capture_on_commit_callbacks(execute=True):
        delete_images([writers["rasha"].photo])
    author = Author.objects.get(slug="rasha-khalil")
    assert author.photo_id is None and author.job_title == "Syria correspondent"
    page = read(client, "/author/rasha-khalil/")
    assert photo_img(page) is None and 'property="og:image' not in page
    assert job_title(page) == ("", "Syria correspondent")


def test_a_new_alt_text_for_the_photo_shows_at_once_on_a_cached_page(
    client, writers, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    read(client, "/author/rasha-khalil/")
    photo = writers["rasha"].photo
    with django_capture_on_commit_callbacks(execute=True):
        photo.alt_text = "Rasha Khalil at her desk"
        photo.save()
    assert photo_img(read(client, "/author/rasha-khalil/"))["alt"] == "Rasha Khalil at her desk"


# -- the addresses ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(document.cookie)",
        "/author/rasha-khalil/",
        "x.com/rashakhalil",
        "just some words",
        "ftp://files.example.org/cv.pdf",
        "mailto:not-an-address",
        "mailto:rasha@example.org?subject=hello",
        "https://",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_a_line_that_is_not_an_address_is_refused_by_its_number(bad):
    author = Author(display_name="Rasha Khalil", slug="rasha-khalil", profile_links=f"https://x.com/rasha\n\n{bad}\n")
    with pytest.raises(ValidationError) as refused:
        author.full_clean()
    (message,) = refused.value.message_dict["profile_links"]
    assert message.startswith(f"Line 3, “{bad}”, is not an address a profile link can have")
    assert "https://" in message and "mailto:" in message


def test_every_bad_line_is_named(db):
    author = Author(display_name="R", slug="r", profile_links="javascript:void(0)\nhttps://x.com/r\n/about/")
    with pytest.raises(ValidationError) as refused:
        author.full_clean()
    assert [m.split(",")[0] for m in refused.value.message_dict["profile_links"]] == ["Line 1", "Line 3"]


def test_good_addresses_pass(db):
    Author(display_name="R", slug="r", profile_links=LINKS + "http://example.org\nMAILTO:r@example.org").full_clean()


def test_links_are_labelled_by_their_host_without_www_in_their_own_letters():
    assert profile_links("https://www.x.com/r\nhttps://xn--mgbh0fb.example/r\nmailto:r@example.org") == [
        ProfileLink("https://www.x.com/r", "x.com"),
        ProfileLink("https://xn--mgbh0fb.example/r", "مثال.example"),
        ProfileLink("mailto:r@example.org", "r@example.org"),
    ]
    assert [link.is_email for link in profile_links("mailto:r@example.org\nhttps://r.example.org")] == [True, False]
    assert profile_links("") == []


# -- the desk -----------------------------------------------------------------------------------------------


@pytest.fixture
def desk(client, admin_user_role, writers):
    client.force_login(admin_user_role)
    return client


def _form(author, **changes):
    fields = ("display_name", "name_ar", "slug", "bio", "bio_ar", "job_title", "job_title_ar", "profile_links")
    data = {name: getattr(author, name) for name in fields}
    data["photo"] = author.photo_id or ""
    return {**data, **changes}


def test_the_author_form_has_the_new_fields_each_in_its_direction(desk, writers):
    page = read(desk, reverse("admin:articles_author_change", args=[writers["rasha"].pk]))
    assert re.search(r'<input type="text" name="job_title_ar"[^>]*dir="rtl"', page)
    assert re.search(r'<input type="text" name="job_title"[^>]*dir="auto"', page)
    assert re.search(r'<textarea name="profile_links"[^>]*dir="ltr"', page)
    # The photo is picked from the library by searching it.
    assert re.search(r'<select name="photo"[^>]*class="admin-autocomplete', page)
    results = desk.get(
        reverse("admin:autocomplete"),
        {"term": "portrait", "app_label": "articles", "model_name": "author", "field_name": "photo"},
    ).json()["results"]
    assert [r["text"] for r in results] == ["Rasha Khalil portrait"]


def test_the_desk_saves_a_job_title_links_and_a_photo(desk, writers, media_root):
    author = writers["omar"]
    photo = library_image(title="Omar Saleh portrait", alt_text="Omar Saleh in a blue shirt")
    response = desk.post(
        reverse("admin:articles_author_change", args=[author.pk]),
        _form(author, job_title="Iraq editor", job_title_ar="محرر شؤون العراق", photo=photo.pk, profile_links=LINKS),
    )
    assert response.status_code == 302
    author.refresh_from_db()
    assert (author.job_title, author.job_title_ar, author.photo) == ("Iraq editor", "محرر شؤون العراق", photo)
    assert author.profile_links == LINKS.strip()  # as typed (the form trims the ends, as every text field)
    assert shown_links(read(desk, "/author/omar-saleh/")) == [(a, label, "me noopener") for a, label in SHOWN_LINKS]


def test_the_desk_is_refused_a_photo_without_alt_text_and_loses_nothing(desk, writers, media_root):
    author = writers["omar"]
    bare = library_image(title="Bulk upload 17", alt_text="")
    response = desk.post(
        reverse("admin:articles_author_change", args=[author.pk]),
        _form(author, job_title="Iraq editor", photo=bare.pk),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The picture “Bulk upload 17” has no alt text and is not marked decorative" in html.unescape(page)
    assert 'value="Iraq editor"' in page  # what was typed is still in the form
    author.refresh_from_db()
    assert author.photo is None and author.job_title == ""
    bare.decorative = True
    bare.save()
    response = desk.post(reverse("admin:articles_author_change", args=[author.pk]), _form(author, photo=bare.pk))
    assert response.status_code == 302


def test_the_desk_is_told_which_line_is_not_an_address_and_loses_nothing(desk, writers):
    author = writers["omar"]
    typed = "https://x.com/omar\njavascript:alert(1)"
    response = desk.post(
        reverse("admin:articles_author_change", args=[author.pk]),
        _form(author, job_title="Editor", profile_links=typed),
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Line 2, “javascript:alert(1)”, is not an address a profile link can have" in page
    assert typed in page.replace("\r\n", "\n")
    author.refresh_from_db()
    assert author.profile_links == "" and author.job_title == ""


def test_the_arabic_desk_reads_the_refusal_in_arabic(desk, writers):
    author = writers["omar"]
    response = desk.post(
        reverse("admin:articles_author_change", args=[author.pk]),
        _form(author, profile_links="/omar/"),
        headers={"Accept-Language": "ar"},
    )
    assert "السطر 1، «/omar/»، ليس عنوانًا يصلح رابطًا لحساب" in html.unescape(response.content.decode())
