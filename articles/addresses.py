"""Addresses of the public pages, built from patterns reversed once per process (links in lists are many).

An article page links its section, places, actors, authors and related stories, each twice or three times
(the page, JSON-LD, Open Graph), and `reverse()` walks the URL resolver for every one of them. Here each
kind of address is reversed once per language with stand-in values, and later addresses are that pattern
with the real values put in, percent-encoded exactly as `reverse()` encodes them. A value the pattern
could not take (an empty slug, one with a slash, a negative number) goes through `reverse()` itself, so it
fails or succeeds exactly as before.
"""

from urllib.parse import quote

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.regex_helper import _lazy_re_compile

# What `reverse()` leaves unencoded: RFC 3986's sub-delimiters and the other `pchar` characters.
_SAFE = "!$&'()*+,;=" + "/~:@"
_STAND_IN_BASE = 908172635445362700  # 18 digits: what <id:…> takes
_PLACEHOLDER = _lazy_re_compile(r"\{|\}")
_patterns = {}


def _stand_in(position, value):
    # Digits fit both the int and the str converters; each argument gets its own number.
    return str(_STAND_IN_BASE + position) if isinstance(value, int) else f"~stand-in-{position}~"


def _fits(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, str) and value != "" and "/" not in value


def public_url(name, language, **kwargs):
    """`reverse("articles:<name>", kwargs=kwargs)` as it reads in `language`'s edition (None: the default)."""
    values = kwargs.values()
    if not all(map(_fits, values)):
        return _reverse(name, language, kwargs)
    urlconf = get_urlconf() or settings.ROOT_URLCONF  # as reverse() picks it (tests may swap it)
    # Then the arguments' names and types, which decide the stand-ins. A page asks for some thirty addresses.
    key = (name, language, get_script_prefix(), urlconf, *kwargs, *map(type, values))
    pattern = _patterns.get(key)
    if pattern is None:
        stand_ins = {arg: _stand_in(position, value) for position, (arg, value) in enumerate(kwargs.items())}
        try:
            address = _reverse(name, language, stand_ins)
        except NoReverseMatch:  # a value of a type this address does not take as it is (e.g. "42" for a pk)
            return _reverse(name, language, kwargs)
        pattern = _PLACEHOLDER.sub(lambda brace: brace.group() * 2, address)
        for position, text in enumerate(stand_ins.values()):
            pattern = pattern.replace(quote(text, safe=_SAFE), "{" + str(position) + "}")
        _patterns[key] = pattern
    return pattern.format(*map(_encoded, values))


def _encoded(value):
    return quote(str(value), safe=_SAFE)


def _reverse(name, language, kwargs):
    with translation.override(language):
        return reverse(f"articles:{name}", kwargs=kwargs)


def archive_day_url(moment, language):
    """The address of the archive's page listing the stories of `moment`'s day in the newsroom's time zone, in
    `language`'s edition: what `reverse("articles:archive_day", …)` gives, without a resolver walk per story page."""
    day = timezone.localtime(moment, timezone.get_default_timezone())
    return f"{public_url('archive', language)}{day.year:04d}/{day.month:02d}/{day.day:02d}/"
