"""The admin and the desk speak each person's language (the menu's choice, saved for every browser they sign
in on, else the browser's); public pages keep the language of their address, and a preview reads as the
story's edition does."""

import re

import pytest
from django.test import Client

from articles.models import StaffProfile
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


def sign_in(client, user):
    """Sign in through the admin's login form, as a person at a browser does."""
    response = client.post("/admin/login/?next=/admin/", {"username": user.username, "password": "pass-for-tests-1"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    return response


def saved_language(user):
    return StaffProfile.objects.filter(user=user).values_list("language", flat=True).first()


def test_choosing_a_language_saves_it_and_any_browser_signing_in_gets_it(client, editor):
    client.force_login(editor)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})
    assert saved_language(editor) == "ar"
    # Another device: no language cookie, a browser asking for English; signing in brings the choice back.
    laptop = Client(headers={"Accept-Language": "en"})
    assert page_language(laptop.get("/admin/login/").content.decode()) == ("en", "ltr")
    signed_in = sign_in(laptop, editor)
    assert signed_in.cookies["django_language"].value == "ar"
    assert page_language(laptop.get("/admin/").content.decode()) == ("ar", "rtl")
    assert page_language(laptop.get("/desk/").content.decode()) == ("ar", "rtl")
    # The browser closes (the language cookie goes with it) and reopens, still signed in: still Arabic.
    del laptop.cookies["django_language"]
    assert page_language(laptop.get("/admin/").content.decode()) == ("ar", "rtl")
    # The public site's language is still its address.
    assert page_language(laptop.get("/").content.decode()) == ("en", "ltr")


def test_the_saved_language_wins_over_a_cookie_left_in_a_shared_browser(client, editor, reporter):
    client.force_login(editor)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})
    shared = Client()
    sign_in(shared, reporter)
    shared.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    shared.post("/admin/logout/")
    sign_in(shared, editor)
    assert page_language(shared.get("/admin/").content.decode()) == ("ar", "rtl")
    assert saved_language(reporter) == "en" and saved_language(editor) == "ar"


def test_choosing_again_replaces_the_saved_language(client, editor):
    client.force_login(editor)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert saved_language(editor) == "en" and StaffProfile.objects.filter(user=editor).count() == 1
    laptop = Client(headers={"Accept-Language": "ar"})
    sign_in(laptop, editor)
    assert page_language(laptop.get("/admin/").content.decode()) == ("en", "ltr")


def test_someone_who_never_chose_gets_their_browsers_language_when_signing_in(editor):
    laptop = Client(headers={"Accept-Language": "ar"})
    signed_in = sign_in(laptop, editor)
    assert "django_language" not in signed_in.cookies and saved_language(editor) is None
    assert page_language(laptop.get("/admin/").content.decode()) == ("ar", "rtl")


@pytest.mark.parametrize("language", ["xx", "fr", "", "ar-xx"])
def test_a_language_the_site_does_not_offer_is_refused_and_changes_nothing(client, editor, language):
    # "fr" is a language Django itself speaks, but not one this site offers.
    client.force_login(editor)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})
    response = client.post("/i18n/setlang/", {"language": language, "next": "/admin/"})
    assert response.status_code == 400 and "django_language" not in response.cookies
    assert response.content.decode() == "The desk is not available in that language."
    assert saved_language(editor) == "ar"
    assert page_language(client.get("/admin/").content.decode()) == ("ar", "rtl")


def test_the_menu_does_not_redirect_off_the_site(client, editor):
    client.force_login(editor)
    for unsafe in ("https://evil.example/", "//evil.example/admin/", "javascript:alert(1)"):
        for referer in ({}, {"Referer": "https://evil.example/x"}):
            response = client.post("/i18n/setlang/", {"language": "en", "next": unsafe}, headers=referer)
            assert response.status_code == 302 and response["Location"] == "/"  # the home page instead
        # Going home, Django sends an Arabic reader to the Arabic edition's home page.
        response = client.post("/i18n/setlang/", {"language": "ar", "next": unsafe})
        assert response.status_code == 302 and response["Location"] == "/ar/"
    # Without a safe `next`, a referrer on this site is where the person goes back to.
    response = client.post(
        "/i18n/setlang/",
        {"language": "ar", "next": "https://evil.example/"},
        headers={"Referer": "http://testserver/admin/"},
    )
    assert response["Location"] == "http://testserver/admin/"


def test_the_menu_only_accepts_a_post_with_its_csrf_token(editor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    response = browser.get("/i18n/setlang/", {"language": "ar", "next": "/admin/"})
    assert response.status_code == 405 and "django_language" not in response.cookies
    response = browser.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})
    assert response.status_code == 403 and "django_language" not in response.cookies
    assert saved_language(editor) is None
    page = browser.get("/admin/").content.decode()
    token = re.search(r'<form class="language-menu".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S)
    response = browser.post(
        "/i18n/setlang/", {"language": "ar", "next": "/admin/", "csrfmiddlewaretoken": token.group(1)}
    )
    assert response.status_code == 302 and saved_language(editor) == "ar"


def test_a_visitor_who_is_not_signed_in_changes_only_their_cookie(editor):
    visitor = Client()
    response = visitor.post("/i18n/setlang/", {"language": "ar", "next": "/admin/login/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "ar"
    assert not StaffProfile.objects.exists()
    assert page_language(visitor.get("/admin/login/").content.decode()) == ("ar", "rtl")


def test_a_language_not_offered_cannot_be_saved():
    with pytest.raises(ValueError):
        StaffProfile.objects.remember_language(None, "fr")


def test_whoever_manages_accounts_sees_and_sets_a_colleagues_language(client, admin_user_role, reporter):
    StaffProfile.objects.remember_language(reporter, "ar")
    client.force_login(admin_user_role)
    page = client.get(f"/admin/auth/user/{reporter.pk}/change/").content.decode()
    assert "Language of the desk" in page and '<option value="ar" selected>Arabic</option>' in page
    form = {
        "username": reporter.username,
        "email": reporter.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [g.pk for g in reporter.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "staff_profile-TOTAL_FORMS": "1",
        "staff_profile-INITIAL_FORMS": "1",
        "staff_profile-MIN_NUM_FORMS": "0",
        "staff_profile-MAX_NUM_FORMS": "1",
        "staff_profile-0-id": reporter.staff_profile.pk,
        "staff_profile-0-user": reporter.pk,
        "staff_profile-0-language": "en",
    }
    response = client.post(f"/admin/auth/user/{reporter.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()
    assert saved_language(reporter) == "en"


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
