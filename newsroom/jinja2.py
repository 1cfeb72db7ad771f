"""The Jinja2 environment of the readers' templates (`templates/jinja2/`); staff pages stay on Django's.

Readers' pages are rendered by Jinja2 because it compiles a template to Python: on an uncached story page
Django's template language was about half of the Python time. Django's own filters (`date`, `linebreaksbr`,
`pluralize`) and tags (`static`, `spaceless`) are called, not rewritten; pictures are the functions of
`{% load images %}` (`articles/templatetags/images.py`), structured data is `articles.structured_data`'s. The
search form's inputs and selects are the exception: `form_field` prints them as Django's widget templates do.

Translations go through Django's gettext (`jinja2.ext.i18n`, new-style): `{% trans %}` blocks and `_()` use
the same msgids as `{% blocktranslate %}`/`{% translate %}` did (`{{ name }}` becomes `%(name)s`), and
`{% trans "context" %}…{% endtrans %}` is `pgettext`. `manage.py makemessages` reads these templates too
(`articles/management/commands/makemessages.py`, with `messages_as_python` below).
"""

import re
from datetime import datetime

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.html import conditional_escape, strip_spaces_between_tags
from django.utils.timezone import _datetime_ambiguous_or_imaginary, template_localtime
from jinja2 import Environment, pass_context, pass_eval_context
from markupsafe import Markup

from articles import embeds, structured_data
from articles.addresses import archive_day_url as _archive_day_url
from articles.addresses import public_url
from articles.models import ArticleGenre, name_in, text_in
from articles.normalisation import xml_text
from articles.templatetags import images

# Arabic-Indic digits, and the Arabic comma between a date's parts ("٢٤ تشرين الثاني ٢٠٢٦، ١٦:٤٥").
_ARABIC_DIGITS = str.maketrans("0123456789,", "٠١٢٣٤٥٦٧٨٩،")
# Arabic-Indic digits, and the Arabic thousands separator (U+066C) between a count's groups ("٢٬٠٠٠"): the
# Arabic comma would read as a list, and Django's Arabic format's "." as a decimal point.
_ARABIC_GROUPED = str.maketrans("0123456789,", "٠١٢٣٤٥٦٧٨٩\u066c")


# {(language, msgid) or (language, context, msgid): translation}. Catalogues are read once per process and
# do not change while it runs; a change of the settings that choose them (tests) empties this with Django's own.
# The templates' msgids are literals, so it holds a few entries per string of the templates and language.
_translated = {}
_CATALOGUE_SETTINGS = {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}


@receiver(setting_changed)
def _forget_translations(setting, **kwargs):
    if setting in _CATALOGUE_SETTINGS:
        _translated.clear()


def _page_language(context):
    """The language the page is rendered in, as the `i18n` context processor read it once for the render."""
    return context.get("LANGUAGE_CODE") or translation.get_language()


_TRANSLATED_LIMIT = 5000  # far above the templates' strings times two languages; a bound should one pass a variable


def _translation(key, translate, *args):
    try:
        return _translated[key]
    except KeyError:
        if len(_translated) >= _TRANSLATED_LIMIT:
            _translated.clear()
        with translation.override(key[0]):
            text = _translated[key] = translate(*args)
        return text


@pass_context
def gettext(context, message):
    """Django's `gettext` in the page's language, without its per-call lookup of the active language."""
    language = _page_language(context)
    return _translation((language, message), translation.gettext, message)


@pass_context
def pgettext(context, message_context, message):
    """Django's `pgettext` in the page's language (see `gettext`)."""
    language = _page_language(context)
    return _translation((language, message_context, message), translation.pgettext, message_context, message)


@pass_context
def digits(context, value, language=None):
    """`value` as text with Arabic-Indic digits and the Arabic comma on Arabic pages (a date or a time follows
    the page's language); `language` names it where a page holds both (the status pages). A count or a page
    number is `grouped`'s."""
    text = str(value)
    return text.translate(_ARABIC_DIGITS) if (language or _page_language(context)) == "ar" else text


@pass_context
def grouped(context, count, language=None):
    """The whole number `count` (how many stories, a page number, minutes, seconds) as readers read a count:
    thousands grouped, "12,345" on English pages, "١٢٬٣٤٥" (Arabic-Indic digits, U+066C) on Arabic ones;
    `language` as for `digits`. Not for years, dates, times or ids, which are never grouped (`digits`).
    A plural is chosen by the number itself, not by this text (`{% trans count=n, shown=n|grouped %}`)."""
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"grouped() takes a whole number, not {count!r}")
    text = f"{count:,}"
    return text.translate(_ARABIC_GROUPED) if (language or _page_language(context)) == "ar" else text


@pass_context
def local_name(context, entry):
    """The name of a section, place, actor or author in the page's language (the English name if no Arabic one)."""
    return name_in(entry, _page_language(context))


@pass_context
def local_text(context, entry, field):
    """A section's, place's, actor's or author's `field` ("description", "bio") in the page's language, the English
    text if there is no Arabic one, with the language it is written in (`articles.models.text_in`)."""
    return text_in(entry, field, _page_language(context))


def _foreign(context, language):
    """`language` when it is not the page's (text that must carry its own language), else ""."""
    return language if language and language != _page_language(context) else ""


@pass_context
def lang_attributes(context, language, direction=True):
    """` lang="en" dir="ltr"` for an element whose text is in `language` on a page in another language (an Arabic
    page falling back to an English description), so the browser lays it out and picks its fonts as that
    language's; nothing for text in the page's own language. Without `direction` only `lang` (a `<meta>`'s
    content is not laid out)."""
    language = _foreign(context, language)
    if not language:
        return Markup("")
    attributes = f' lang="{conditional_escape(language)}"'
    if direction:
        attributes += ' dir="rtl"' if language == "ar" else ' dir="ltr"'
    return Markup(attributes)


# An Arabic name's article joined by a hyphen in transliteration ("al-Hol", "Deir ez-Zor", "ash-Sham"): a line
# broken at that hyphen strands "al-" at a line's end. Lower-case or capitalised, as a word of its own.
_JOINED_ARTICLE = re.compile(r"(?<![\w-])(?:[Aa][ln]|[Ee][lnrsdtz]|[Aa][dhrstz]|[Aa](?:dh|sh|th)|[Uu][dl])-\w+")


def headline(text):
    """`text` (a headline) escaped, with each transliterated name whose article is joined by a hyphen kept on one
    line (`<span class="nobreak">al-Hol</span>`); the text itself is unchanged, so copying and finding it work."""
    escaped = str(conditional_escape(text))
    return Markup(_JOINED_ARTICLE.sub(lambda match: f'<span class="nobreak">{match.group()}</span>', escaped))


@pass_context
def local_byline(context, article):
    """The names the story's byline prints in the page's language, one by one (`Article.byline_parts`)."""
    return article.byline_parts(_page_language(context))


def work_type(article):
    """The label of the story's type of work in the story's own language ("Opinion", "رأي"), as a list shows it
    next to the kicker whatever the page's language; "" for news, which carries none."""
    genre = article.genre
    if not genre or genre == ArticleGenre.NEWS:
        return ""
    return _translation((article.language, "type of work", genre), lambda: str(ArticleGenre(genre).label))


@pass_context
def edition_url(context, name):
    """`url("articles:<name>")` for an address without arguments, in the page's edition, without the resolver
    walk (`articles.addresses`): the masthead and footer print six of them on every page."""
    return public_url(name, _page_language(context))


@pass_context
def archive_day_url(context, moment):
    """The archive's page of `moment`'s day (the newsroom's day) in the page's edition; None without a moment."""
    return _archive_day_url(moment, _page_language(context)) if moment else None


# The format characters the readers' pages print dates with, and the separators between them: such formats
# of an aware datetime are printed here as Django's dateformat prints them, without its format parser and
# its lookup of the format name in the language's format modules (a dozen dates a story page).
_PLAIN_FORMAT = re.compile(r"[jFYHiT ,:]+")
_FIELDS = {"j": "{0.day}", "F": "{1}", "Y": "{0.year:04d}", "H": "{0.hour:02d}", "i": "{0.minute:02d}", "T": "{2}"}
_templates = {}


# Iraq and Syria name the months by their Syriac names; Django's Arabic has the Latin-derived ones that
# Egypt and the Gulf use. NEWSROOM_ARABIC_MONTHS chooses (see settings.py).
_SYRIAC_MONTHS = {
    1: "كانون الثاني", 2: "شباط", 3: "آذار", 4: "نيسان", 5: "أيار", 6: "حزيران",
    7: "تموز", 8: "آب", 9: "أيلول", 10: "تشرين الأول", 11: "تشرين الثاني", 12: "كانون الأول",
}  # fmt: skip


@pass_context
def date(context, value, format_string=None):
    """Django's `date` filter, in the current time zone as Django's templates show aware datetimes; on Arabic
    pages the readers' formats name the month as NEWSROOM_ARABIC_MONTHS says."""
    if isinstance(value, datetime) and value.utcoffset() is not None and isinstance(format_string, str):
        if format_string == "c":  # ISO 8601, as Django's "c" prints it
            return template_localtime(value).isoformat()
        if _PLAIN_FORMAT.fullmatch(format_string):
            return _plain_date(template_localtime(value), format_string, _page_language(context))
    return defaultfilters.date(template_localtime(value), format_string)


def _plain_date(moment, format_string, language):
    """`moment` (aware, local) in a `_PLAIN_FORMAT` format, as `django.utils.dateformat.format` prints it,
    but for the Arabic month names (`_month_name`)."""
    template = _templates.get(format_string)
    if template is None:
        template = _templates[format_string] = "".join(_FIELDS.get(char, char) for char in format_string)
    month = _month_name(moment.month, language) if "F" in format_string else ""
    zone = ""
    if "T" in format_string and not _datetime_ambiguous_or_imaginary(moment, moment.tzinfo):
        zone = str(moment.tzinfo.tzname(moment))  # Django prints no zone for an ambiguous or imaginary time
    return template.format(moment, month, zone)


def _month_name(month, language):
    """The month's name as the page in `language` prints it: Django's, but for the Arabic edition's choice."""
    if language == "ar":
        style = settings.NEWSROOM_ARABIC_MONTHS
        if style == "syriac":
            return _SYRIAC_MONTHS[month]
        if style == "both":
            return f"{_SYRIAC_MONTHS[month]}/{MONTHS[month]}"
    return str(MONTHS[month])


# A zone without an abbreviation of its own is named by its offset in the time zone database ("+03" for
# Baghdad, "+0530"), which readers do not read as a time zone.
_NUMERIC_ZONE = re.compile(r"([+-])(\d\d)(\d\d)?")


# Marked for makemessages here: xgettext reads the first argument of `gettext(context, …)`, the context.
_GMT_OFFSET = translation.gettext_noop("GMT%(offset)s")


@pass_context
def zone(context, value):
    """The newsroom time zone's name at the aware datetime `value`, as readers read it: its abbreviation
    ("BST"), or, for a zone the time zone database names by its offset ("+03"), "GMT+3" in the page's
    language. Empty for a time the zone skips or repeats, as Django's "T" prints it, and for no time (a draft
    previewed before its publication) or a naive one."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        return ""
    moment = template_localtime(value)
    if _datetime_ambiguous_or_imaginary(moment, moment.tzinfo):
        return ""
    name = str(moment.tzname())
    numeric = _NUMERIC_ZONE.fullmatch(name)
    if numeric is None:
        return name
    sign, hours, minutes = numeric.groups()
    offset = f"{sign}{int(hours)}" + (f":{minutes}" if minutes and minutes != "00" else "")
    return gettext(context, _GMT_OFFSET) % {"offset": offset}


# Django's widget templates that print `django/forms/widgets/input.html` and nothing else, and its select's.
_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "search", "email", "url", "tel", "number", "date", "hidden")
}
_SELECT = ("django/forms/widgets/select.html", "django/forms/widgets/select_option.html")


def _attributes(attrs):
    """A widget's attributes as `django/forms/widgets/attrs.html` prints them."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def form_field(field):
    """What `{{ field }}` prints for a form's field (a BoundField), character for character.

    An input or a select (the widgets of the readers' search form) is printed here from the widget's own
    context, its attributes, value and chosen option as Django works them out, without rendering Django's
    widget templates: those took a millisecond of every search page. Any other widget is Django's to render.
    """
    widget = field.field.widget
    template = widget.template_name
    if template not in _INPUT_TEMPLATES and (template, getattr(widget, "option_template_name", "")) != _SELECT:
        return field.as_widget()
    # As BoundField.as_widget prepares the widget's attributes and value.
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    name = conditional_escape(context["name"])
    if template in _INPUT_TEMPLATES:
        value = "" if context["value"] is None else f' value="{conditional_escape(context["value"])}"'
        return Markup(
            f'<input type="{conditional_escape(context["type"])}" name="{name}"{value}{_attributes(context["attrs"])}>'
        )
    options = []
    for group, choices, _ in context["optgroups"]:
        if group:
            return field.as_widget()  # option groups: Django's template
        options += [
            f'\n  <option value="{conditional_escape(option["value"])}"{_attributes(option["attrs"])}>'
            f"{conditional_escape(option['label'])}</option>\n"
            for option in choices
        ]
    return Markup(f'<select name="{name}"{_attributes(context["attrs"])}>{"".join(options)}\n</select>')


@pass_eval_context
def linebreaksbr(eval_ctx, value):
    """Django's `linebreaksbr`: the text escaped (when autoescaping), each line break as `<br>`."""
    return defaultfilters.linebreaksbr(value, autoescape=eval_ctx.autoescape)


def spaceless(markup):
    """What Django's `{% spaceless %}` prints, for `{% filter spaceless %}`: no whitespace between tags."""
    return Markup(strip_spaces_between_tags(str(markup).strip()))


def url(name, *args, **kwargs):
    """`{% url name arg … %}`: the path of the named view."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


@pass_context
def article_json_ld(context, article):
    """The story's JSON-LD `<script>`, for the page's request and site name."""
    return structured_data.json_ld_element(article, context["request"], context.get("site_name", ""))


@pass_context
def article_social_meta(context, article):
    """The story's Open Graph and Twitter `<meta>` tags, for the page's request and site name."""
    return structured_data.social_meta_elements(article, context["request"], context.get("site_name", ""))


@pass_context
def share_links(context, article):
    """(label, address) pairs for sharing the story (`structured_data.share_links`)."""
    return structured_data.share_links(article, context["request"])


# What `page_json_ld(kind, …)` describes: the front page, or the entry a list page is about.
_PAGE_DATA = {
    "website": structured_data.website,
    "section": structured_data.section_page,
    "place": structured_data.place_page,
    "actor": structured_data.actor_page,
    "author": structured_data.author_page,
    "archive": structured_data.archive_page,
}


@pass_context
def page_json_ld(context, kind, *entries):
    """The JSON-LD `<script>` of a page that is not a story: `kind` names it ("website", "section", "place",
    "actor", "author", "archive") and `entries` are what it is about (a place and its parents, …)."""
    data = _PAGE_DATA[kind](context["request"], context.get("site_name", ""), _page_language(context), *entries)
    return structured_data.json_ld_script(data)


@pass_context
def page_social_meta(context, title, summary, summary_language="", image=None):
    """Open Graph and Twitter "summary" card tags for a page that is not a story; `summary_language` is the
    language the summary is written in, when it may not be the page's (a description: `local_text`); `image` a
    library picture the card shows (an author's photo)."""
    # A `{% set %}` block or a translated block gives markup; the tags take plain text (escaped once, there).
    title, summary = (text.unescape() if isinstance(text, Markup) else str(text) for text in (title, summary))
    tags = structured_data.page_social_tags(
        context["request"],
        context.get("site_name", ""),
        _page_language(context),
        title,
        summary,
        summary_language=_foreign(context, summary_language),
        image=image,
    )
    return structured_data.meta_elements(tags)


def story_body(article):
    """The article's stored body for its page: video embeds become facades worded in the story's language."""
    return embeds.video_facades(article.body, article.language)


def update_text(update, language, pinned_copy=False):
    """A live update's stored text for its page, its videos as facades worded in `language` (the story's), their
    ids its own (the pinned copy's apart from the update's)."""
    return embeds.video_facades(update.text, language, f"{'pinned' if pinned_copy else 'update'}-{update.pk}-video")


_LIVE = translation.gettext_noop("Live")


def live_label(article):
    """The label "Live" in the story's own language ("مباشر") while it is live (`Article.is_live`), as a list
    shows it next to the type of work whatever the page's language; "" otherwise."""
    if not article.is_live:
        return ""
    return _translation((article.language, _LIVE), translation.gettext, _LIVE)


def live_follow_seconds(article):
    """How often an open page of this story asks for new live updates (static/js/live_updates.js), in seconds;
    0 for a story that is not live."""
    return settings.NEWSROOM_LIVE_POLL_SECONDS if article.is_live else 0


def environment(**options):
    """The environment Django's Jinja2 backend renders with (settings.TEMPLATES, `OPTIONS["environment"]`)."""
    # Django's templates print a template's last newline; keeping it keeps included lists byte for byte.
    options.setdefault("keep_trailing_newline", True)
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    # Jinja2 passes the render's context to these (`pass_context`); plurals are rare and stay Django's own.
    env.install_gettext_callables(
        gettext, translation.ngettext, newstyle=True, pgettext=pgettext, npgettext=translation.npgettext
    )
    env.globals.update(
        get_current_language=translation.get_language,
        static=static,
        url=url,
        edition_url=edition_url,
        archive_day_url=archive_day_url,
        picture=images.picture,
        lead_figure=images.lead_figure,
        form_field=form_field,
        article_json_ld=article_json_ld,
        article_social_meta=article_social_meta,
        page_json_ld=page_json_ld,
        page_social_meta=page_social_meta,
        share_links=share_links,
        story_body=story_body,
        update_text=update_text,
        live_follow_seconds=live_follow_seconds,
        has_videos=embeds.has_videos,
    )
    env.filters.update(
        date=date,
        digits=digits,
        grouped=grouped,
        local_name=local_name,
        local_text=local_text,
        lang_attributes=lang_attributes,
        local_byline=local_byline,
        work_type=work_type,
        live_label=live_label,
        headline=headline,
        zone=zone,
        linebreaksbr=linebreaksbr,
        pluralize=defaultfilters.pluralize,
        spaceless=spaceless,
        xml_text=xml_text,
    )
    return env


def messages_as_python(source):
    """The translatable strings of a Jinja2 template as Python gettext calls, each on its template line.

    `manage.py makemessages` hands this to xgettext in place of the template (xgettext reads Python, not
    Jinja2), so the strings reach `locale/…/django.po` with the template's name and line.
    """
    lines = [[] for _ in range(source.count("\n") + 1)]
    for lineno, function, message in environment().extract_translations(source):
        strings = [message] if isinstance(message, str) else [text for text in message if text is not None]
        count = ", n" if function in ("ngettext", "npgettext") else ""
        lines[lineno - 1].append(f"{function}({', '.join(repr(text) for text in strings)}{count})")
    return "\n".join("; ".join(calls) for calls in lines) + "\n"
