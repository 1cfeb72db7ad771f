"""The photo desk in the admin: grid and list, bulk upload, focal point, uses, the picker, and who may do what."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from articles.admin_images import UploadForm
from articles.images import get_rendition
from articles.models import Article, Image, Rendition
from articles.tests.factories import ArticleFactory, UserFactory
from articles.tests.pictures import heic_bytes, jpeg_bytes, library_image, revealing_exif, upload

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_image_changelist")
UPLOAD = reverse("admin:articles_image_add")
TINYMCE_LIST = reverse("admin:articles_image_tinymce_list")
CHANGELIST_QUERIES = 12  # session, user, perms ×2, uploaders, counts ×2, page, thumbnails, dates ×2, formats


def change_url(image):
    return reverse("admin:articles_image_change", args=[image.pk])


def delete_url(image):
    return reverse("admin:articles_image_delete", args=[image.pk])


def login(client, user):
    client.force_login(user)
    return client


def change_form(image, **changes):
    data = {
        "title": image.title,
        "caption": image.caption,
        "credit": image.credit,
        "copyright_holder": image.copyright_holder,
        "alt_text": image.alt_text,
        "language": image.language,
        "focal_x": image.focal_x,
        "focal_y": image.focal_y,
    }
    if image.decorative:
        data["decorative"] = "on"
    data.update(changes)
    return data


def stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


# --- browsing --------------------------------------------------------------------------------------------


def test_admin_browses_the_library_as_a_grid_and_the_choice_is_remembered(client, admin_user_role):
    login(client, admin_user_role)
    titles = ["Market in Raqqa", "Bridge in Mosul", "Camp near Hasakah"]
    for title in titles:
        library_image(title=title)

    grid = client.get(CHANGELIST, {"view": "grid"}).content.decode()
    again = client.get(CHANGELIST).content.decode()
    listed = client.get(CHANGELIST, {"view": "list"}).content.decode()

    assert 'class="library-grid"' in grid
    assert len(re.findall(r'<img src="/media/images/renditions/[0-9a-f]{64}/w320-full\.webp"', grid)) == 3
    assert all(title in grid for title in titles)
    assert 'class="library-grid"' in again
    assert 'class="library-grid"' not in listed and 'id="result_list"' in listed
    assert listed.count('class="library-thumb"') == 3


def test_library_search_finds_title_caption_and_credit(client, editor):
    login(client, editor)
    library_image(title="Market in Raqqa", credit="Reuters", caption="Stalls reopen.")
    library_image(title="Bridge in Mosul", credit="AFP", caption="The old bridge.")

    def found(term):
        page = client.get(CHANGELIST, {"q": term, "view": "list"}).content.decode()
        return {t for t in ["Market in Raqqa", "Bridge in Mosul"] if t in page}

    assert found("Reuters") == {"Market in Raqqa"}
    assert found("old bridge") == {"Bridge in Mosul"}
    assert found("Raqqa") == {"Market in Raqqa"}


def test_filter_shows_pictures_missing_a_credit(client, editor):
    login(client, editor)
    library_image(title="Ready to run")
    library_image(title="Needs a credit", credit="")

    page = client.get(CHANGELIST, {"credited": "no", "view": "list"}).content.decode()

    assert "Needs a credit" in page and "Ready to run" not in page


@pytest.mark.parametrize("view", ["grid", "list"])
def test_library_changelist_runs_a_fixed_number_of_queries(client, editor, view):
    login(client, editor)
    client.get(CHANGELIST, {"view": view})
    library_image()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CHANGELIST).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(4):
        library_image()
    many = queries()

    assert few == many == CHANGELIST_QUERIES


# --- uploading -------------------------------------------------------------------------------------------


def test_admin_uploads_two_files_at_once_with_shared_words(client, admin_user_role):
    login(client, admin_user_role)
    page = client.get(UPLOAD).content.decode()
    assert re.search(r'<input type="file" name="files"[^>]*multiple', page)

    response = client.post(
        UPLOAD,
        {
            "files": [upload(jpeg_bytes(), "raqqa_market.jpg"), upload(jpeg_bytes(), "mosul-bridge.jpg")],
            "credit": "Jane Doe / AFP",
            "copyright_holder": "AFP",
            "language": "en",
        },
    )

    assert response.status_code == 302
    stored = list(Image.objects.order_by("title"))
    assert [i.title for i in stored] == ["mosul bridge", "raqqa market"]
    assert {(i.credit, i.copyright_holder, i.uploaded_by) for i in stored} == {
        ("Jane Doe / AFP", "AFP", admin_user_role)
    }
    listed = client.get(response.url).content.decode()
    assert "mosul bridge" in listed and "raqqa market" in listed


def test_bulk_upload_keeps_good_files_and_names_the_refused_ones(client, editor, media_root):
    login(client, editor)

    response = client.post(
        UPLOAD,
        {"files": [upload(jpeg_bytes(), "good.jpg"), upload(b"<?php system($_GET['c']); ?>", "shell.jpg")]},
        follow=True,
    )

    assert Image.objects.get().title == "good"
    page = response.content.decode()
    assert "shell.jpg: This file is not a picture the library accepts" in page


def test_upload_of_only_refused_files_shows_the_form_again_and_saves_nothing(client, editor, media_root):
    login(client, editor)

    response = client.post(UPLOAD, {"files": [upload(b"GIF89a<script>alert(1)</script>", "x.gif")]})

    assert response.status_code == 200
    assert "x.gif: " in response.content.decode()
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


def test_upload_without_files_asks_for_them(client, editor):
    login(client, editor)

    response = client.post(UPLOAD, {"credit": "AFP"})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_single_upload_opens_the_picture_to_describe_it(client, reporter):
    login(client, reporter)

    response = client.post(UPLOAD, {"files": [upload(jpeg_bytes(), "one.jpg")]})

    image = Image.objects.get()
    assert response.url == change_url(image)
    assert image.uploaded_by == reporter


def test_upload_page_offers_heic_files_in_the_picker_and_names_the_formats(client, reporter):
    login(client, reporter)

    page = client.get(UPLOAD).content.decode()

    accept = re.search(r'<input type="file" name="files"[^>]*accept="([^"]*)"', page)[1].split(",")
    # Beyond image/*: a system whose type list lacks HEIC or AVIF would hide those files from the picker.
    assert {"image/*", ".heic", ".heif", "image/heic", "image/heif", ".avif"} <= set(accept)
    assert "Select one or more files (JPEG, PNG, WebP, GIF, AVIF, HEIC/HEIF)." in page


def test_upload_help_names_the_formats_in_arabic_too():
    with translation.override("ar"):
        help_text = str(UploadForm().fields["files"].help_text)

    assert help_text == "اختر ملفاً أو أكثر (JPEG, PNG, WebP, GIF, AVIF, HEIC/HEIF)."


def test_reporter_uploads_a_heic_from_an_iphone(client, reporter, media_root):
    login(client, reporter)
    data = heic_bytes((320, 200), exif=revealing_exif())
    assert b"SN-0451-9981" in data

    response = client.post(UPLOAD, {"files": [upload(data, "IMG_0001.HEIC", "image/heic")]})

    image = Image.objects.get()
    assert response.url == change_url(image)
    assert (image.original_format, image.uploaded_by, image.title) == ("HEIF", reporter, "IMG 0001")
    with image.file.open("rb") as stored:
        assert b"SN-0451-9981" not in stored.read()
    assert "HEIF" in client.get(response.url).content.decode()


def test_upload_from_the_article_forms_plus_button_hands_the_picture_back(client, editor):
    login(client, editor)
    form = client.get(UPLOAD, {"_popup": "1", "_to_field": "id"}).content.decode()
    assert 'name="_popup"' in form and 'name="_to_field" value="id"' in form

    response = client.post(
        UPLOAD + "?_popup=1&_to_field=id",
        {"files": [upload(jpeg_bytes(), "new.jpg")], "_popup": "1", "_to_field": "id"},
    )

    image = Image.objects.get()
    assert response.status_code == 200
    assert "popup_response" in response.content.decode() and f"&quot;value&quot;: &quot;{image.pk}&quot;" in (
        response.content.decode()
    )


# --- one picture -----------------------------------------------------------------------------------------


def test_admin_sets_the_focal_point_and_crops_follow_it(client, admin_user_role):
    login(client, admin_user_role)
    image = library_image(size=(800, 300))
    old_crop = get_rendition(image, "w300-1x1.jpg")
    full = get_rendition(image, "w300-full.jpg")
    page = client.get(change_url(image)).content.decode()
    assert 'class="focal-picker"' in page and "admin/image_focal_point.js" in page

    response = client.post(change_url(image), change_form(image, focal_x="0.9", focal_y="0.25"))

    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (0.9, 0.25)
    assert not Rendition.objects.filter(pk=old_crop.pk).exists()
    assert Rendition.objects.filter(pk=full.pk).exists()
    assert get_rendition(image, "w300-1x1.jpg").file.name.endswith("-f900-250.jpg")


@pytest.mark.parametrize(("x", "y"), [("1.5", "0.5"), ("0.5", "-0.1"), ("left", "0.5")])
def test_focal_point_outside_the_picture_is_refused(client, editor, x, y):
    login(client, editor)
    image = library_image()

    response = client.post(change_url(image), change_form(image, focal_x=x, focal_y=y))

    assert response.status_code == 200
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (0.5, 0.5)


def test_alt_text_is_required_unless_the_picture_is_decorative(client, editor):
    login(client, editor)
    image = library_image()

    refused = client.post(change_url(image), change_form(image, alt_text=""))
    decorative = client.post(change_url(image), change_form(image, alt_text="", decorative="on"))

    assert refused.status_code == 200
    assert "Describe the picture for readers who cannot see it" in refused.content.decode()
    assert decorative.status_code == 302
    assert Image.objects.get(pk=image.pk).decorative


@pytest.mark.parametrize("emptied", ["credit", "copyright_holder"])
def test_a_picture_readers_see_keeps_its_credits_and_one_only_on_drafts_may_lose_them(client, editor, emptied):
    login(client, editor)
    shown, unpublished = library_image(title="Shown"), library_image(title="Draft only")
    story = ArticleFactory(lead_image=shown)
    Article.objects.filter(pk=story.pk).update(status="published", first_published_at=story.created_at)
    ArticleFactory(lead_image=unpublished)

    refused = client.post(change_url(shown), change_form(shown, **{emptied: ""}))
    allowed = client.post(change_url(unpublished), change_form(unpublished, **{emptied: ""}))

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Readers see it on 1 public story, so it must keep its credits:" in page
    assert getattr(Image.objects.get(pk=shown.pk), emptied) == getattr(shown, emptied)
    assert allowed.status_code == 302
    assert getattr(Image.objects.get(pk=unpublished.pk), emptied) == ""


def test_picture_page_lists_the_stories_using_it(client, editor):
    login(client, editor)
    image = library_image()
    ArticleFactory(headline="Lead story with the picture", lead_image=image)
    url = get_rendition(image, "w1280-full.jpg").url
    ArticleFactory(headline="Inline story with the picture", body=f'<p><img src="{url}" alt="x"></p>')
    ArticleFactory(headline="Story without it")

    page = client.get(change_url(image)).content.decode()

    assert "Lead story with the picture" in page and "Inline story with the picture" in page
    assert "Story without it" not in page


# --- the picker in the article form and the editor ---------------------------------------------------------


def test_article_form_picks_a_lead_picture_by_credit_with_a_caption_for_this_story(client, editor):
    login(client, editor)
    image = library_image(title="Checkpoint at dawn", credit="Reuters")
    library_image(title="Other picture", credit="AFP")

    found = client.get(
        reverse("admin:autocomplete"),
        {"term": "Reuters", "app_label": "articles", "model_name": "article", "field_name": "lead_image"},
    ).json()["results"]
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "language": "en",
            "headline": "Checkpoint reopens",
            "slug": "checkpoint-reopens",
            "lead_image": found[0]["id"],
            "lead_image_caption": "The checkpoint on Monday.",
            "embargo_until_0": "",
            "embargo_until_1": "",
            "dateline_time_0": "",
            "dateline_time_1": "",
        },
    )

    assert found == [{"id": str(image.pk), "text": "Checkpoint at dawn"}]
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(headline="Checkpoint reopens")
    assert (article.lead_image, article.lead_caption) == (image, "The checkpoint on Monday.")


def test_editor_picture_list_gives_titles_credits_and_body_size_addresses(client, reporter):
    login(client, reporter)
    library_image(title="Market in Raqqa", credit="Reuters")

    entries = client.get(TINYMCE_LIST).json()

    assert len(entries) == 1
    assert entries[0]["title"] == "Market in Raqqa — Reuters"
    assert re.fullmatch(r"/media/images/renditions/[0-9a-f]{64}/w1280-full\.jpg", entries[0]["value"])


def test_editor_picture_list_is_for_the_newsroom_only(client, db):
    library_image()
    anonymous = client.get(TINYMCE_LIST)
    login(client, UserFactory(username="staff-without-role"))
    no_role = client.get(TINYMCE_LIST)

    assert anonymous.status_code == 302 and "/login/" in anonymous.url
    assert no_role.status_code == 403


def test_tinymce_is_configured_with_the_library_list(client, editor):
    login(client, editor)

    page = client.get(reverse("admin:articles_article_add")).content.decode()

    assert "/admin/articles/image/tinymce-list/" in page
    assert "&quot;relative_urls&quot;: false" in page


# --- who may do what -----------------------------------------------------------------------------------


def test_reporter_cannot_delete_pictures(client, reporter):
    login(client, reporter)
    image = library_image(uploaded_by=reporter)

    assert client.get(delete_url(image)).status_code == 403
    assert client.post(delete_url(image), {"post": "yes"}).status_code == 403
    bulk = client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [image.pk], "post": "yes"})

    assert Image.objects.filter(pk=image.pk).exists()
    assert bulk.status_code in (200, 302)


def test_reporter_edits_own_uploads_but_not_a_colleagues(client, reporter, editor):
    login(client, reporter)
    own = library_image(uploaded_by=reporter)
    colleagues = library_image(uploaded_by=editor, credit="Original credit")

    own_saved = client.post(change_url(own), change_form(own, credit="Reporter credit"))
    forged = client.post(change_url(colleagues), change_form(colleagues, credit="Forged credit"))

    assert own_saved.status_code == 302
    assert Image.objects.get(pk=own.pk).credit == "Reporter credit"
    assert forged.status_code == 403
    assert Image.objects.get(pk=colleagues.pk).credit == "Original credit"


def test_staff_without_a_role_cannot_upload(client, media_root):
    login(client, UserFactory(username="visitor"))

    response = client.post(UPLOAD, {"files": [upload(jpeg_bytes(), "x.jpg")]})

    assert response.status_code == 403
    assert not Image.objects.exists()


def test_editor_deletes_an_unused_picture_with_its_files(
    client, editor, media_root, django_capture_on_commit_callbacks
):
    login(client, editor)
    image = library_image()
    get_rendition(image, "w200-16x9.jpg")
    assert len(stored_files(media_root)) == 3

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(image), {"post": "yes"})

    assert response.status_code == 302
    assert not Image.objects.exists() and not Rendition.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("use", ["lead", "inline"])
def test_a_picture_a_story_shows_cannot_be_deleted(client, editor, use):
    login(client, editor)
    image = library_image()
    if use == "lead":
        ArticleFactory(headline="The story", lead_image=image)
    else:
        ArticleFactory(headline="The story", body=f'<p><img src="{get_rendition(image, "w1280-full.jpg").url}"></p>')

    page = client.get(delete_url(image)).content.decode()
    client.post(delete_url(image), {"post": "yes"})

    assert "Cannot delete image" in page
    assert use == "lead" or "Shown in story: The story" in page
    assert Image.objects.filter(pk=image.pk).exists()
