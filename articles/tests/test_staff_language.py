"""The admin and the desk speak each person's language (the menu's choice, else the browser's); public pages
keep the language of their address, and a preview reads as the story's edition does."""

import re

import pytest
from django.test import Client

from articles.tests.publishing import story

pytestmark = pytest.mark.django_db


def page_language(html):
    """The (lang, dir) the page's <html> element declares."""
    return re.search(r'<html lang="([^"]+)" dir="([^"]+)"', html).groups()


def test_the_admin_speaks_the_default_language_and_offers_the_others(client, editor):
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert page_language(html) == ("en", "ltr")
    menu = re.search(r'<form class="language-menu" action="/i18n/setlang/" method="post">(.*?)</form>', html, re.S)
    assert '<option value="en" lang="en" selected>English</option>' in menu.group(1)
    assert '<option value="ar" lang="ar">العربيّة</option>' in menu.group(1)
    assert '<button type="submit">Switch language</button>' in menu.group(1)


def test_choosing_arabic_turns_the_admin_and_the_desk_arabic_and_leaves_the_public_site_alone(client, editor):
    client.force_login(editor)
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/articles/article/"})
    assert response.status_code == 302 and response["Location"] == "/admin/articles/article/"
    admin = client.get("/admin/articles/article/")
    assert page_language(admin.content.decode()) == ("ar", "rtl")
    assert admin["Content-Language"] == "ar"
    assert "تسجيل الخروج" in admin.content.decode()  # Django's own admin, in Arabic
    assert '<button type="submit">تبديل اللغة</button>' in admin.content.decode()
    assert page_language(client.get("/desk/").content.decode()) == ("ar", "rtl")
    # The public site's language is its address, whatever the desk speaks.
    assert page_language(client.get("/").content.decode()) == ("en", "ltr")
    assert page_language(client.get("/ar/").content.decode()) == ("ar", "rtl")
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert page_language(client.get("/admin/").content.decode()) == ("en", "ltr")


def test_the_browsers_language_counts_until_a_choice_is_made(client, editor):
    client.force_login(editor)
    arabic = {"Accept-Language": "ar,en;q=0.5"}
    assert page_language(client.get("/admin/", headers=arabic).content.decode()) == ("ar", "rtl")
    assert page_language(client.get("/", headers=arabic).content.decode()) == ("en", "ltr")
    assert page_language(Client().get("/admin/login/", headers=arabic).content.decode()) == ("ar", "rtl")
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert page_language(client.get("/admin/", headers=arabic).content.decode()) == ("en", "ltr")


def test_an_unknown_language_changes_nothing(client, editor):
    client.force_login(editor)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/admin/"})
    assert response.status_code == 302 and "django_language" not in response.cookies
    assert page_language(client.get("/admin/").content.decode()) == ("en", "ltr")


def test_a_preview_reads_as_the_storys_edition_whatever_the_desk_speaks(client, editor):
    english = story(headline="Talks resume in Baghdad")
    arabic = story(headline="استئناف المحادثات في بغداد", slug="محادثات", language="ar")
    client.force_login(editor)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})
    html = client.get(f"/desk/preview/{english.pk}/").content.decode()
    assert page_language(html) == ("en", "ltr") and "Published <time" in html and "نُشر" not in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    html = client.get(f"/desk/preview/{arabic.pk}/").content.decode()
    assert page_language(html) == ("ar", "rtl") and "نُشر <time" in html


def test_an_editor_who_chose_arabic_reads_the_workflow_panel_and_my_desk_in_arabic(client, editor):
    article = story(headline="Talks resume in Baghdad")  # published: an editor has no move left on it
    client.force_login(editor)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})
    form = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert page_language(form) == ("ar", "rtl")
    assert "There is no workflow move you can make" not in form
    assert "Share a preview link with a colleague" not in form
    assert "لا يوجد إجراء في سير العمل يمكنك تنفيذه على هذا المقال الآن." in form
    assert "<summary>شارك رابط معاينة مع زميل</summary>" in form
    assert "مدة الصلاحية (بالساعات)" in form and ">أنشئ الرابط</button>" in form
    assert '<h2 id="desk-state">سير العمل: ' in form
    desk = client.get("/desk/").content.decode()
    assert page_language(desk) == ("ar", "rtl")
    assert "My drafts" not in desk and "Waiting for my review" not in desk and "Recently published" not in desk
    assert "مسوداتي" in desk and "بانتظار مراجعتي" in desk and "نُشر مؤخراً" in desk
    published = desk[desk.index("نُشر مؤخراً") :]
    assert "Talks resume in Baghdad" in published and "منشور" in published


def test_the_workflow_buttons_follow_the_desks_language(client, publisher):
    from articles.models import Article

    article = story(Article.Status.APPROVED, headline="Talks resume in Baghdad")
    client.force_login(publisher)
    english = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'value="publish">Publish</button>' in english and 'value="send_back">Send back</button>' in english
    client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})
    arabic = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'value="publish">انشر</button>' in arabic and 'value="send_back">أعِد إلى المراسل</button>' in arabic
    assert ">Publish</button>" not in arabic and ">Send back</button>" not in arabic
