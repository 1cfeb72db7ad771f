"""The readers' templates (Jinja2): one copy of each, every interface string translated, new ones extracted."""

import gettext
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.paginator import Paginator
from django.template import TemplateDoesNotExist, defaultfilters, engines
from django.utils import timezone, translation
from django.utils.timezone import template_localtime

from articles.tests.publishing import fresh_cache  # noqa: F401 - a fixture

JINJA2 = engines["jinja2"]
TEMPLATES = Path(JINJA2.template_dirs[0])


def test_no_readers_template_has_a_second_copy_for_djangos_engine():
    names = [path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.*")]
    assert {"base.html", "404.html", "articles/article_detail.html", "articles/includes/story.html"} <= set(names)
    for name in names:
        with pytest.raises(TemplateDoesNotExist):
            engines["django"].get_template(name)


def _catalogue_keys():
    with open(settings.BASE_DIR / "locale" / "ar" / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog
    # Plural entries are keyed (msgid, n); entries with a context are "context\x04msgid".
    return {key[0] if isinstance(key, tuple) else key for key, text in catalogue.items() if text}


def test_every_interface_string_of_the_readers_pages_has_an_arabic_translation():
    translated = _catalogue_keys()
    used, missing = set(), []
    for path in sorted(TEMPLATES.rglob("*.*")):
        for lineno, function, message in JINJA2.env.extract_translations(path.read_text(encoding="utf-8")):
            strings = [message] if isinstance(message, str) else [text for text in message if text is not None]
            msgid = f"{strings[0]}\x04{strings[1]}" if function.startswith(("pgettext", "npgettext")) else strings[0]
            used.add(msgid)
            if msgid not in translated:
                missing.append(f"{path.relative_to(TEMPLATES)}:{lineno} {msgid!r}")
    assert len(used) > 40  # the templates were read: every page's masthead, footer and labels
    assert not missing


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (apt-get install gettext)")
def test_makemessages_puts_a_new_string_of_a_readers_template_in_the_catalogue(settings, tmp_path, monkeypatch):
    templates = tmp_path / "templates" / "jinja2"
    (templates / "articles").mkdir(parents=True)
    (templates / "articles" / "page.html").write_text(
        '<h1>{{ _("A brand-new heading") }}</h1>\n'
        "<p>{% trans name=author %}Written by {{ name }}{% endtrans %}</p>\n"
        '<p>{% trans "a sports score" %}Draw{% endtrans %}</p>\n'
        "<p>{% trans n=count %}{{ n }} new story{% pluralize %}{{ n }} new stories{% endtrans %}</p>\n",
        encoding="utf-8",
    )
    (tmp_path / "locale" / "ar" / "LC_MESSAGES").mkdir(parents=True)
    jinja2 = {**settings.TEMPLATES[0], "DIRS": [templates]}
    settings.TEMPLATES = [jinja2, *settings.TEMPLATES[1:]]
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)

    call_command("makemessages", locale=["ar"], verbosity=0)

    catalogue = (tmp_path / "locale" / "ar" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert '#: templates/jinja2/articles/page.html:1\nmsgid "A brand-new heading"' in catalogue
    assert 'msgid "Written by %(name)s"' in catalogue
    assert 'msgctxt "a sports score"\nmsgid "Draw"' in catalogue
    assert 'msgid "%(n)s new story"\nmsgid_plural "%(n)s new stories"' in catalogue
    assert not list(templates.rglob("*.py"))  # the Python stand-ins xgettext read are gone


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("zone", ["Asia/Baghdad", "Europe/London", "UTC"])
def test_dates_print_as_djangos_date_filter_prints_them(settings, language, zone):
    settings.NEWSROOM_ARABIC_MONTHS = "latin"  # Django's own Arabic month names
    template = JINJA2.from_string("{{ moment|date(format) }}")

    def date(moment, format_string):
        return template.render({"moment": moment, "format": format_string, "LANGUAGE_CODE": language})

    # Every month, times either side of midnight, and London's ambiguous and skipped hours (no zone name).
    moments = [
        datetime(2026, month, day, hour, 5, tzinfo=UTC) for month in range(1, 13) for day, hour in [(1, 0), (28, 23)]
    ]
    moments += [datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)]
    moments += [datetime(2026, 3, 29, 0, 59, tzinfo=UTC), datetime(5, 3, 1, 9, 0, tzinfo=UTC)]
    with translation.override(language), timezone.override(zone):
        for moment in moments:
            for format_string in ["j F Y", "j F Y, H:i T", "j F Y, H:i", "c", "D j M Y", "T"]:
                expected = defaultfilters.date(template_localtime(moment), format_string)
                assert date(moment, format_string) == expected, (moment, format_string)
        assert date(None, "j F Y") == "" and date(moment.date(), "j F Y") == defaultfilters.date(moment.date(), "j F Y")


@pytest.mark.parametrize(
    "style, shown",
    [
        ("syriac", ["١ كانون الثاني ٢٠٢٦", "١ آذار ٢٠٢٦، ٠٩:٣٠", "٢٤ تشرين الثاني ٢٠٢٦", "٣١ كانون الأول ٢٠٢٦"]),
        (
            "both",
            [
                "١ كانون الثاني/يناير ٢٠٢٦",
                "١ آذار/مارس ٢٠٢٦، ٠٩:٣٠",
                "٢٤ تشرين الثاني/نوفمبر ٢٠٢٦",
                "٣١ كانون الأول/ديسمبر ٢٠٢٦",
            ],
        ),
        ("latin", ["١ يناير ٢٠٢٦", "١ مارس ٢٠٢٦، ٠٩:٣٠", "٢٤ نوفمبر ٢٠٢٦", "٣١ ديسمبر ٢٠٢٦"]),
    ],
)
def test_arabic_pages_name_the_months_as_the_newsroom_chose(settings, style, shown):
    settings.NEWSROOM_ARABIC_MONTHS = style
    template = JINJA2.from_string("{{ moment|date(format)|digits }}")
    moments = [(datetime(2026, 1, 1, 9), "j F Y"), (datetime(2026, 3, 1, 9, 30), "j F Y, H:i")]
    moments += [(datetime(2026, 11, 24, 12), "j F Y"), (datetime(2026, 12, 31, 20), "j F Y")]
    with translation.override("ar"), timezone.override("Asia/Baghdad"):
        printed = [
            template.render({"moment": moment.replace(tzinfo=timezone.get_current_timezone()), "format": format_string,
                             "LANGUAGE_CODE": "ar"})
            for moment, format_string in moments
        ]  # fmt: skip
    assert printed == shown
    with translation.override("en"), timezone.override("Asia/Baghdad"):
        english = template.render(
            {"moment": datetime(2026, 3, 1, 9, tzinfo=UTC), "format": "j F Y", "LANGUAGE_CODE": "en"}
        )
    assert english == "1 March 2026"  # the English edition keeps its month names whatever the Arabic choice


@pytest.mark.parametrize(
    "name, value, error",
    [
        ("NEWSROOM_ARABIC_MONTHS", "egyptian", "NEWSROOM_ARABIC_MONTHS must be syriac, latin or both, not 'egyptian'"),
        ("NEWSROOM_LIVE_POLL_SECONDS", "-5", "NEWSROOM_LIVE_POLL_SECONDS and NEWSROOM_LIVE_FOLLOW_HOURS must be 0"),
        ("NEWSROOM_LIVE_FOLLOW_HOURS", "-1", "NEWSROOM_LIVE_POLL_SECONDS and NEWSROOM_LIVE_FOLLOW_HOURS must be 0"),
    ],
)
def test_a_bad_page_setting_stops_the_site_with_a_clear_error(name, value, error):
    import os
    import subprocess
    import sys

    environment = {**os.environ, name: value, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=environment, capture_output=True, text=True
    )
    assert run.returncode != 0
    assert error in run.stderr


@pytest.mark.parametrize(
    "zone, moment, language, shown",
    [
        ("Asia/Baghdad", datetime(2026, 3, 1, 6, 30, tzinfo=UTC), "en", "GMT+3"),  # tzdata names it "+03"
        ("Asia/Baghdad", datetime(2026, 3, 1, 6, 30, tzinfo=UTC), "ar", "غرينتش+3"),
        ("Asia/Tehran", datetime(2026, 1, 1, 6, 30, tzinfo=UTC), "en", "GMT+3:30"),  # "+0330"
        ("America/Sao_Paulo", datetime(2026, 1, 1, 6, 30, tzinfo=UTC), "en", "GMT-3"),  # "-03"
        ("Europe/London", datetime(2026, 7, 1, 6, 30, tzinfo=UTC), "en", "BST"),  # its own abbreviation
        ("UTC", datetime(2026, 7, 1, 6, 30, tzinfo=UTC), "ar", "UTC"),
        ("Europe/London", datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "en", ""),  # the repeated hour: no name
        ("Asia/Baghdad", None, "en", ""),  # a draft's publication time, in a preview
        ("Asia/Baghdad", datetime(2026, 3, 1, 6, 30), "en", ""),  # naive: no zone to name
    ],
)
def test_the_time_zone_is_named_as_readers_read_it(zone, moment, language, shown):
    template = JINJA2.from_string("{{ moment|zone }}")
    with translation.override(language), timezone.override(zone):
        assert template.render({"moment": moment, "LANGUAGE_CODE": language}) == shown


def test_translated_strings_kept_per_process_stay_bounded_and_right():
    from newsroom import jinja2 as environment

    # The templates pass literals to _(); one passing a variable must not grow the memo without end.
    template = JINJA2.from_string("{{ _(word) }}|{{ _('Places') }}")
    with translation.override("ar"):
        for number in range(environment._TRANSLATED_LIMIT + 50):
            shown = template.render({"word": f"word {number}", "LANGUAGE_CODE": "ar"})
            assert shown == f"word {number}|الأماكن"
        assert len(environment._translated) <= environment._TRANSLATED_LIMIT


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"q": "Kirkuk", "section": "desk", "language": "ar", "date_from": "2026-03-01", "sort": "newest"},
        {"section": "no-such-desk", "language": "xx", "region": '"><b>x</b>', "actor": "O'Brien &", "date_to": "x"},
        {"q": "Kirkuk", "sort": '"><b>oldest</b>'},
        {"date_from": "2026-03-10", "date_to": "2026-03-01", "region": "", "actor": "<i>"},
    ],
)
@pytest.mark.usefixtures("fresh_cache")  # the section filter's options are cached with the vocabulary
def test_form_fields_print_as_djangos_widget_templates_print_them(db, data):
    from articles.search import SearchForm
    from articles.tests.factories import SectionFactory

    SectionFactory(name="Desk", slug="desk", parent=SectionFactory(name="News & <Views>", slug="news"))
    form = SearchForm(data)
    if data is not None:
        form.is_valid()
    form_field = JINJA2.env.globals["form_field"]  # what the search page prints in place of Django's templates
    for field in form:
        assert str(form_field(field)) == str(field), field.name
    assert ">News &amp; &lt;Views&gt; &gt; Desk</option>" in str(form_field(form["section"]))  # labels escaped


def test_form_fields_of_other_widgets_are_left_to_djangos_templates():
    from django import forms

    class Form(forms.Form):
        text = forms.CharField(widget=forms.Textarea)
        grouped = forms.ChoiceField(choices=[("Places", [("a", "A & B")]), ("c", "C")])
        many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")])
        agreed = forms.BooleanField()

    form = Form({"text": "<b>", "grouped": "a", "many": ["a", "b"]})
    form.is_valid()
    for field in form:
        assert str(JINJA2.env.globals["form_field"](field)) == str(field), field.name


@pytest.mark.parametrize(
    "text, shown",
    [
        ("Thousands held in al-Hol", 'Thousands held in <span class="nobreak">al-Hol</span>'),
        (
            "Deir ez-Zor and Al-Qaeda",
            'Deir <span class="nobreak">ez-Zor</span> and <span class="nobreak">Al-Qaeda</span>',
        ),
        ("A well-known, long-range plan", "A well-known, long-range plan"),  # ordinary compounds may break
        ("Total-Hol and al-", "Total-Hol and al-"),  # "al" inside a word, or with nothing after it
        ("سقوط الباغوز", "سقوط الباغوز"),
        (
            '<script>al-Hol</script> & "x"',
            '&lt;script&gt;<span class="nobreak">al-Hol</span>&lt;/script&gt; &amp; &quot;x&quot;',
        ),
    ],
)
def test_headlines_keep_a_transliterated_name_on_one_line(text, shown):
    assert JINJA2.from_string("{{ text|headline }}").render({"text": text}) == shown


@pytest.mark.parametrize(
    "number, english, arabic",
    [
        (0, "0", "٠"),
        (7, "7", "٧"),
        (999, "999", "٩٩٩"),
        (1000, "1,000", "١٬٠٠٠"),
        (12345, "12,345", "١٢٬٣٤٥"),
        (1234567, "1,234,567", "١٬٢٣٤٬٥٦٧"),
    ],
)
def test_counts_group_their_thousands_as_each_edition_writes_them(number, english, arabic):
    template = JINJA2.from_string("{{ number|grouped }}")
    assert template.render({"number": number, "LANGUAGE_CODE": "en"}) == english
    # U+066C, the Arabic thousands separator: not the Arabic comma (a list) nor Django's Arabic "." (a decimal).
    assert template.render({"number": number, "LANGUAGE_CODE": "ar"}) == arabic
    # A page that holds both editions names the language (the status pages).
    both = JINJA2.from_string("{{ number|grouped('en') }} / {{ number|grouped('ar') }}")
    assert both.render({"number": number, "LANGUAGE_CODE": "ar"}) == f"{english} / {arabic}"


def test_years_and_times_keep_their_digits_ungrouped():
    template = JINJA2.from_string("{{ year|digits }} {{ moment|date('j F Y, H:i')|digits }}")
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    with timezone.override("UTC"):
        assert template.render({"year": 2026, "moment": moment, "LANGUAGE_CODE": "en"}) == "2026 1 March 2026, 09:30"
        arabic = template.render({"year": 2026, "moment": moment, "LANGUAGE_CODE": "ar"})
    assert arabic.startswith("٢٠٢٦ ١ ") and arabic.endswith(" ٢٠٢٦، ٠٩:٣٠") and "٬" not in arabic


@pytest.mark.parametrize("value", [None, "2000", 2.5, True])
def test_grouping_something_that_is_not_a_count_is_a_clear_error(value):
    with pytest.raises(TypeError, match="whole number"):
        JINJA2.from_string("{{ value|grouped }}").render({"value": value, "LANGUAGE_CODE": "en"})


@pytest.mark.parametrize(
    "language, shown",
    [("en", "Page 1,234 of 12,345"), ("ar", "الصفحة ١٬٢٣٤ من ١٢٬٣٤٥")],
)
def test_a_list_numbers_its_pages_with_grouped_thousands(language, shown):
    page = Paginator(range(12345), 1).page(1234)
    with translation.override(language):
        template = JINJA2.get_template("articles/includes/pagination.html")
        html = template.render({"page": page, "LANGUAGE_CODE": language})
    assert f'<span class="page-number">{shown}</span>' in html
    assert 'href="?page=1233"' in html and 'href="?page=1235"' in html  # the addresses keep plain numbers
