"""In a real browser: clicking the picture on its admin page sets the focal point that crops keep in frame."""

import pytest
from django.urls import reverse

from articles.models import Image
from articles.tests.browser import BROWSER_TEST_MARKS, chromium_page
from articles.tests.pictures import library_image

pytestmark = BROWSER_TEST_MARKS


def test_clicking_the_picture_sets_the_focal_point(live_server, admin_user_role):
    image = library_image(size=(1000, 500))
    login_url = live_server.url + reverse("admin:login")
    change_url = live_server.url + reverse("admin:articles_image_change", args=[image.pk])

    with chromium_page() as page:
        page.goto(login_url)
        page.fill("#id_username", admin_user_role.username)
        page.fill("#id_password", "pass-for-tests-1")
        page.click("input[type=submit]")
        page.goto(change_url)
        picture = page.locator(".focal-picker img")
        box = picture.bounding_box()
        picture.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.25})
        marker_left = page.eval_on_selector(".focal-marker", "el => el.style.left")
        page.click("input[name=_save]")
        page.wait_for_url("**/articles/image/")

    image = Image.objects.get(pk=image.pk)
    assert image.focal_x == pytest.approx(0.8, abs=0.01)
    assert image.focal_y == pytest.approx(0.25, abs=0.01)
    assert float(marker_left.rstrip("%")) == pytest.approx(80, abs=1)
