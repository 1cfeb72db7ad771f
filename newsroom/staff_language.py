"""The staff pages (the admin and the desk) in the language each person chose.

A public page's language is its address (English unprefixed, Arabic under /ar/), so Django's
`LocaleMiddleware` gives every unprefixed address the default language, /admin/ and /desk/ included. On
those, this middleware (placed after it) uses the person's own choice instead: the language cookie that
Django's `set_language` view sets (the admin's language menu, `templates/admin/base_site.html`), else the
browser's `Accept-Language`, else the default. Public pages are left as their address says.
"""

from django.utils import translation
from django.utils.cache import patch_vary_headers

STAFF_PREFIXES = ("/admin/", "/desk/")


class StaffLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(STAFF_PREFIXES):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
