"""The staff pages (the admin and the desk) in the language each person chose, wherever they sign in.

A public page's language is its address (English unprefixed, Arabic under /ar/), so Django's
`LocaleMiddleware` gives every unprefixed address the default language, /admin/ and /desk/ included. On
those, this middleware (placed after it) uses the person's own choice instead: the language they saved with
the admin's language menu (`templates/admin/base_site.html`, posting to `set_language` below), which signing
in puts in their session; else the language cookie that the menu also sets, else the browser's
`Accept-Language`, else the default. Public pages are left as their address says.

The saved choice (`articles.models.StaffProfile.language`) is also the language of the person's workflow
e-mails (articles/notifications.py).
"""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from articles.models import StaffProfile
from articles.models.staff import is_offered

STAFF_PREFIXES = ("/admin/", "/desk/")
# The signed-in person's saved language, for the length of their session.
SESSION_KEY = "staff_language"


class StaffLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(STAFF_PREFIXES):
            return self.get_response(request)
        saved = _session_language(request)
        language = saved or translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        saved = _session_language(request)  # signing in may just have put it there
        if saved and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != saved:
            # The browser remembers it too, so the sign-in page after signing out speaks it as well.
            _set_language_cookie(response, saved)
        return response


def _session_language(request):
    language = request.session.get(SESSION_KEY)
    return language if is_offered(language) else None


def _set_language_cookie(response, language):
    # As Django's set_language sets it.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def set_language(request):
    """The admin's language menu: Django's `set_language` (CSRF-checked, POST only, redirecting only to a safe
    `next`, else to a safe referrer, else to /), which also saves a signed-in person's choice on their
    StaffProfile and in their session. A language the site does not offer is refused (400) and changes
    nothing; an anonymous visitor's choice lives only in their cookie."""
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER, "")
    if not is_offered(language):
        return HttpResponseBadRequest(_("The desk is not available in that language."), content_type="text/plain")
    response = i18n.set_language(request)
    if request.user.is_authenticated:
        StaffProfile.objects.remember_language(request.user, language)
        request.session[SESSION_KEY] = language
    return response


def restore_saved_language(sender, request, user, **kwargs):
    """Receiver of `user_logged_in` (connected in articles/apps.py): the language the person saved becomes
    their session's, so a browser that never saw their choice opens the desk in it."""
    if request is None or not hasattr(request, "session"):
        return
    language = StaffProfile.objects.filter(user=user).values_list("language", flat=True).first()
    if is_offered(language):
        request.session[SESSION_KEY] = language
