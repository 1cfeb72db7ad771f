"""Browser-side defences the settings cannot express: Content-Security-Policy and Permissions-Policy.

Public pages get a strict policy: scripts, styles and fonts only from our own origin (and the static/media
hosts when those are absolute URLs, e.g. a CDN or an S3 bucket), frames only from the two video players a
reader may choose to load (YouTube's cookie-less domain and Vimeo's player), no inline script or style, no
plugins, no `<base>` tricks, and no framing by anyone. The staff side (`/admin/`, `/desk/`, `/tinymce/`)
gets the same policy except that styles may be inline and images and fetches may use `blob:` URLs, as
TinyMCE's CSP guide requires (inline formatting and the positioning of its dialogs and menus; Django's
changelist also writes a `<style>` block when it has no actions). Inline *scripts* stay forbidden
everywhere; the admin and TinyMCE load all of theirs from files.

The policy is sent when `NEWSROOM_CSP` is on (by default whenever DEBUG is off: Django's debug error page
is built from inline script and style). Permissions-Policy, which switches off browser features the site
never uses (camera, microphone, location …), is always sent.

`lockout_response` is the page django-axes shows a locked-out sign-in. `client_ip` is the one place that
decides a client's address, for the login lockout and the rate limits.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from articles.embeds import PLAYER_ORIGINS

STAFF_PREFIXES = ("/admin/", "/desk/", "/tinymce/")
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def content_security_policy(staff=False):
    """The Content-Security-Policy header value for a public page, or a staff page when `staff` is true."""
    hosts = " ".join(
        sorted({origin for origin in (_origin(settings.STATIC_URL), _origin(settings.MEDIA_URL)) if origin})
    )
    own = f"'self' {hosts}".strip()
    directives = {
        "default-src": own,
        "script-src": own,
        "style-src": f"{own} 'unsafe-inline'" if staff else own,
        "img-src": f"{own} data:" + (" blob:" if staff else ""),
        "font-src": own,
        "connect-src": "'self' blob:" if staff else "'self'",
        # Video players, loaded only when a reader presses play on a story's video (articles/embeds.py). The desk's
        # preview shows stories as readers see them; its frames from our own origin stay as default-src had them.
        "frame-src": " ".join(("'self'", *PLAYER_ORIGINS) if staff else PLAYER_ORIGINS),
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy (when on) and Permissions-Policy to every response that lacks them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.NEWSROOM_CSP and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(staff=request.path.startswith(STAFF_PREFIXES))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def client_ip(request):
    """The client's address: REMOTE_ADDR, or with NEWSROOM_TRUSTED_PROXIES = N the address N hops back in
    X-Forwarded-For (each trusted proxy appends the address it saw, so earlier entries can be forged)."""
    proxies = settings.NEWSROOM_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): 429, the pause in minutes, and
    Retry-After. Rendered without context processors, like the other status pages."""
    from axes.helpers import get_client_username

    cooloff_seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": max(1, cooloff_seconds // 60),
        "username": get_client_username(request, credentials) or "",
    }
    response = HttpResponse(render_to_string("locked_out.html", context), status=429)
    response["Retry-After"] = str(cooloff_seconds)
    response["Cache-Control"] = "no-store"
    return response
