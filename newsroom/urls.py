"""The site's address book: the admin, the staff desk, the rich-text editor's assets, and the public pages.

Public pages come in two editions: English at unprefixed addresses, Arabic under /ar/ (`i18n_patterns`);
robots.txt, the sitemaps, the icons and the health checks are language-neutral.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from articles.urls import unprefixed
from newsroom import brand, health, staff_language

admin.site.site_header = "Newsroom desk"
admin.site.site_title = "Newsroom"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The site's icon, where browsers and phones look for it (newsroom/brand.py).
    path("favicon.svg", brand.favicon_svg, name="favicon_svg"),
    *(path(name, brand.icon_file, {"name": name}, name=name) for name in ("favicon.ico", *brand.PNG_SIZES)),
    # The desk's tag suggestions (articles/admin_suggestions.py), beside the article admin's own URLs.
    path("admin/articles/article/", include("articles.admin_suggestions")),
    path("admin/", admin.site.urls),
    path("desk/", include("articles.desk_urls")),
    path("tinymce/", include("tinymce.urls")),
    # The admin's language menu posts here: Django's set_language, saving a signed-in person's choice.
    path("i18n/setlang/", staff_language.set_language, name="set_language"),
    *unprefixed,
    *i18n_patterns(path("", include("articles.urls")), prefix_default_language=False),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
