"""Videos from YouTube and Vimeo inside a story body, without letting the video host see readers who do not play.

A video is stored in the body as plain, sanitiser-safe markup that names the host and the video's id:

    <figure data-embed="youtube" data-video-id="dQw4w9WgXcQ">
      <a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">Title, or the address</a>
      <figcaption>Optional caption</figcaption>
    </figure>

An unlisted Vimeo video also has its private hash (`data-video-hash`), which its player cannot start without.

The desk makes one by putting a video's address alone in a paragraph (`embed_video_paragraphs`, called by the
story form); the sanitiser keeps the two attributes only when they name a recognised host and a valid id for it
(`checked_embeds`). On the public page `video_facades` turns each into a facade: its title or caption, a play
button and a plain link. Nothing is loaded from the host until the reader presses play, when our own script
(static/js/video_embeds.js) puts in an iframe from youtube-nocookie.com or player.vimeo.com (with Vimeo's
do-not-track flag). Everything else (feeds, descriptions, search, word counts) reads the figure's text, i.e.
the link's text and the caption.
"""

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, override

YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
VIMEO_ID = re.compile(r"[1-9][0-9]{0,14}")
# The private hash of an unlisted Vimeo video (vimeo.com/<id>/<hash>, the player's ?h=<hash>): hexadecimal.
VIMEO_HASH = re.compile(r"[0-9a-f]{6,32}")
YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com"}
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com"}
# The players' own addresses, which editors copy from the hosts' embed codes: only their /embed/ and /video/ paths.
YOUTUBE_PLAYER_HOSTS = {"www.youtube-nocookie.com", "youtube-nocookie.com"}
VIMEO_PLAYER_HOST = "player.vimeo.com"
# The origins the public pages may frame (newsroom/security.py), and nothing else.
PLAYER_ORIGINS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")


@dataclass(frozen=True)
class Video:
    """A video on a recognised host: `host` is "youtube" or "vimeo", `id` its validated id, `hash` the private
    hash of an unlisted Vimeo video (else "")."""

    host: str
    id: str
    hash: str = ""

    @property
    def host_name(self):
        """The host's name for readers, translated ("YouTube", "يوتيوب")."""
        return gettext("YouTube") if self.host == "youtube" else gettext("Vimeo")

    @property
    def watch_url(self):
        """The video's own page on its host: the plain link every reader gets."""
        if self.host == "youtube":
            return f"https://www.youtube.com/watch?v={self.id}"
        return f"https://vimeo.com/{self.id}" + (f"/{self.hash}" if self.hash else "")

    @property
    def player_url(self):
        """The player the facade loads on request: YouTube's cookie-less domain, Vimeo with do-not-track."""
        if self.host == "youtube":
            return f"https://www.youtube-nocookie.com/embed/{self.id}"
        return f"https://player.vimeo.com/video/{self.id}?" + (f"h={self.hash}&" if self.hash else "") + "dnt=1"


def valid_video(host, video_id, video_hash=None):
    """The Video for a stored `data-embed`/`data-video-id` pair (and `data-video-hash`, an unlisted Vimeo video's),
    or None when any of them is not valid for the others."""
    pattern = {"youtube": YOUTUBE_ID, "vimeo": VIMEO_ID}.get(host)
    if pattern is None or not isinstance(video_id, str) or not pattern.fullmatch(video_id):
        return None
    if video_hash is not None and not (host == "vimeo" and VIMEO_HASH.fullmatch(video_hash)):
        return None
    return Video(host, video_id, video_hash or "")


def _split(url):
    """(host, path, query) of an http(s) address with nothing unusual in it, else None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password or port:
        return None
    return (parts.hostname or "", parts.path, parts.query)


def video_in(url):
    """The Video a YouTube or Vimeo address shows, or None for any other address.

    Recognised: youtube.com/watch?v=ID, youtu.be/ID, youtube.com/shorts/ID, youtube.com/embed/ID and
    youtube-nocookie.com/embed/ID (ID: 11 characters of A–Z, a–z, 0–9, _ and -), vimeo.com/NUMBER and
    player.vimeo.com/video/NUMBER, and an unlisted Vimeo video's vimeo.com/NUMBER/HASH and
    player.vimeo.com/video/NUMBER?h=HASH (HASH: its private hash, hexadecimal, which its player cannot start
    without). Other query parameters (a start time) are ignored.
    """
    split = _split(url)
    if split is None:
        return None
    host, path, query = split
    found = None
    if host in YOUTUBE_HOSTS:
        if path in ("/watch", "/watch/"):
            found = (parse_qs(query).get("v") or [""])[0]
        else:
            match = re.fullmatch(r"/(?:shorts|embed)/([^/]*)/?", path)
            found = match and match.group(1)
    elif host == "youtu.be":
        match = re.fullmatch(r"/([^/]*)/?", path)
        found = match and match.group(1)
    elif host in YOUTUBE_PLAYER_HOSTS:
        match = re.fullmatch(r"/embed/([^/]*)/?", path)
        found = match and match.group(1)
    elif host in VIMEO_HOSTS or host == VIMEO_PLAYER_HOST:
        shape = r"/([^/]*)(?:/([^/]+))?/?" if host in VIMEO_HOSTS else r"/video/([^/]*)/?"
        match = re.fullmatch(shape, path)
        if not match:
            return None
        hashes = (
            parse_qs(query).get("h", []) if host == VIMEO_PLAYER_HOST else [match.group(2)] if match.group(2) else []
        )
        if len(hashes) > 1:
            return None
        return valid_video("vimeo", match.group(1), hashes[0] if hashes else None)
    return valid_video("youtube", found) if found else None


def looks_like_video(url):
    """True for an address on YouTube or Vimeo shaped like a video's (not a channel's or a search's), whether or
    not its id is valid: the desk is told about those it cannot embed instead of getting a plain link silently."""
    split = _split(url)
    if split is None:
        return False
    host, path, query = split
    if host in YOUTUBE_HOSTS:
        return path.startswith(("/watch", "/shorts/", "/embed/"))
    if host == "youtu.be":
        return path not in ("", "/")
    if host in YOUTUBE_PLAYER_HOSTS:
        return path.startswith("/embed/")
    if host in VIMEO_HOSTS:
        return bool(re.match(r"/[0-9]", path))
    if host == VIMEO_PLAYER_HOST:
        return path.startswith("/video/")
    return False


# --- Stored markup ------------------------------------------------------------------------------------------

_ATTRIBUTE = re.compile(r'\s([a-z][a-z0-9-]*)="([^"]*)"')
_EMBED_FIGURE = re.compile(r"<figure(\s[^>]*\bdata-(?:embed|video-id|video-hash)=[^>]*)>")


def _attributes(text):
    return {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(text)}


def _raw_attributes(text, keep):
    """The attributes of sanitised `text` for which `keep(name)` is true, as the sanitiser wrote them (already
    escaped), so that sanitising the result again changes nothing."""
    return "".join(f' {name}="{raw}"' for name, raw in _ATTRIBUTE.findall(text) if keep(name))


def _directional(name):
    return name in ("dir", "lang")


def _stored_video(attributes):
    """The Video a stored figure's attributes name, or None."""
    return valid_video(attributes.get("data-embed"), attributes.get("data-video-id"), attributes.get("data-video-hash"))


def _checked_figure(match):
    attributes = _attributes(match.group(1))
    if _stored_video(attributes):
        return match.group(0)
    # The other attributes as the sanitiser wrote them, so that sanitising the result again changes nothing.
    kept = "".join(
        f' {name}="{raw}"' for name, raw in _ATTRIBUTE.findall(match.group(1)) if not name.startswith("data-")
    )
    return f"<figure{kept}>"


def checked_embeds(clean_html):
    """`clean_html` (nh3's output) with the embed attributes of each figure kept only when they name a recognised
    host and an id (and hash) valid for it; otherwise they all go and the figure stays an ordinary one."""
    if "data-embed" not in clean_html and "data-video-id" not in clean_html and "data-video-hash" not in clean_html:
        return clean_html
    return _EMBED_FIGURE.sub(_checked_figure, clean_html)


# A paragraph holding only an address, linked or not (as the sanitiser writes it: double-quoted attributes).
_SPACE = r"(?:\s|&nbsp;)*"
_LONE_LINK = re.compile(
    rf"<p(?P<attrs>(?:\s[^>]*)?)>{_SPACE}"
    r"(?:<a\s[^>]*?href=\"(?P<href>[^\"]*)\"[^>]*>(?P<text>(?:(?!</?a\b|</?p\b)[\s\S])*)</a>"
    r"|(?P<bare>https?://(?:[^\s<&]|&amp;)+))"
    rf"{_SPACE}(?:<br\s*/?>{_SPACE})?</p>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")


def embed_figure(video, title, attributes=""):
    """The stored markup of `video` with `title` (plain text) as its link's text; `attributes` (already
    sanitised `dir`/`lang`) go on the figure."""
    return format_html(
        '<figure{} data-embed="{}" data-video-id="{}"{}><a href="{}">{}</a></figure>',
        mark_safe(attributes),
        video.host,
        video.id,
        format_html(' data-video-hash="{}"', video.hash) if video.hash else "",
        video.watch_url,
        title or video.watch_url,
    )


def embed_video_paragraphs(clean_html):
    """(html, refused): each paragraph of sanitised `clean_html` that holds only a recognised video address (typed,
    pasted or linked) becomes an embed; the link's own text, when it is not the address, becomes the title.
    `refused` lists the addresses that look like videos on YouTube or Vimeo but cannot be embedded."""
    refused = []

    def replace(match):
        url = html.unescape(match.group("href") or match.group("bare"))
        video = video_in(url)
        if video is None:
            if looks_like_video(url):
                refused.append(url)
            return match.group(0)
        text = " ".join(html.unescape(_TAG.sub(" ", match.group("text") or "")).split())
        own = "".join(
            f' {name}="{raw}"' for name, raw in _ATTRIBUTE.findall(match.group("attrs")) if name in ("dir", "lang")
        )
        return embed_figure(video, text if text and text != url else "", own)

    if "http" not in clean_html:
        return clean_html, refused
    return _LONE_LINK.sub(replace, clean_html), refused


# --- Public pages -------------------------------------------------------------------------------------------

_STORED_EMBED = re.compile(r"<figure(?P<attrs>\s[^>]*\bdata-embed=[^>]*)>(?P<inner>[\s\S]*?)</figure>")
_CAPTION = re.compile(r"<figcaption\b[^>]*>[\s\S]*?</figcaption>")


def _plain(markup):
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


def _facade(match, number, prefix):
    attributes = _attributes(match.group("attrs"))
    video = _stored_video(attributes)
    if video is None:
        return match.group(0)
    inner = match.group("inner")
    caption = _CAPTION.search(inner)
    title = _plain(_CAPTION.sub(" ", inner))
    if title.startswith(("http://", "https://")):
        title = ""  # an address is no title: the caption, or the host's name, says what this is
    generic = gettext("Video on %(host)s") % {"host": video.host_name}
    described = title or (_plain(caption.group(0)) if caption else "")
    own = "".join(
        f' {name}="{raw}"' for name, raw in _ATTRIBUTE.findall(match.group("attrs")) if name in ("dir", "lang")
    )
    heading_id = f"{prefix}-{number}-title"
    return format_html(
        '<figure class="video"{} data-embed="{}" data-video-id="{}" data-player="{}" data-frame-title="{}">'
        '<div class="video-facade">'
        '<p class="video-title" id="{}">{}</p>'
        '<button type="button" class="video-play" aria-describedby="{}" hidden>{}</button>'
        '<p class="video-link"><a href="{}" rel="noopener noreferrer">{}</a></p>'
        "</div>{}</figure>",
        mark_safe(own),
        video.host,
        video.id,
        video.player_url,
        f"{video.host_name}: {described}" if described else generic,
        heading_id,
        title or generic,
        heading_id,
        gettext("Play video (loads %(host)s, which may set cookies)") % {"host": video.host_name},
        video.watch_url,
        gettext("Watch on %(host)s") % {"host": video.host_name},
        mark_safe(caption.group(0) if caption else ""),
    )


def has_videos(body):
    """True when the stored `body` may hold a video embed (the page then loads the facade's script)."""
    return "data-embed=" in (body or "")


def video_facades(body, language, prefix="video"):
    """The stored, sanitised `body` with each video embed as its facade, worded in `language` (the story's); the
    facades' titles get the ids `<prefix>-1-title`, `<prefix>-2-title` … (each text on a page its own prefix)."""
    if not has_videos(body):
        return mark_safe(body or "")
    counter = iter(range(1, 10_000))
    with override(language):
        return mark_safe(_STORED_EMBED.sub(lambda match: _facade(match, next(counter), prefix), body))


def refusal(address):
    """Why the video address `address` (one `embed_video_paragraphs` refused) cannot be embedded, and what to do."""
    return gettext(
        "“%(address)s” looks like a video address but cannot be embedded. Use a YouTube address "
        "with an 11-character video id (youtube.com/watch?v=…, youtu.be/…, youtube.com/shorts/…) "
        "or a Vimeo address ending in the video's number (vimeo.com/123456789), or an unlisted "
        "video's number and private hash (vimeo.com/123456789/0a1b2c3d4e); or write the address "
        "inside a sentence to keep it as a plain link."
    ) % {"address": address}
