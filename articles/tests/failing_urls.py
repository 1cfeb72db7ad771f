"""The site's addresses plus one page that fails, to see what an unhandled error leaves in the log."""

from django.urls import path

from newsroom.urls import urlpatterns as site_patterns


def broken_page(request):
    """Fail the way a bug would."""
    raise RuntimeError("the page broke")


urlpatterns = [path("broken/", broken_page), *site_patterns]
