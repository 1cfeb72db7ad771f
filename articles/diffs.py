"""Readable differences between two revisions of an article: field by field, and word by word in the text.

`compare(old, new)` takes two revision contents (see articles/revisions.py) and returns one FieldChange per
field that differs, with an HTML rendering (escaped text, `<del>` for removed and `<ins>` for added words,
names instead of ids for sections, places, people and tags). Relation names are fetched in one query per
vocabulary, whatever the number of fields or tags.
"""

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from html import unescape

from django.utils import timezone
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from articles.models import Article
from articles.revisions import CHOICES, CONTENT_FIELDS, FOREIGN_KEYS, MANY, ORDERED, TEXT_FIELDS, TIMES, complete

PARAGRAPH = "¶"
_BLOCK_END = re.compile(r"</(p|h[2-6]|li|blockquote|figcaption|tr|table)>|<br\s*/?>", re.IGNORECASE)
# Line breaks and spaces between one block and the next: the editor writes `</p>\n<p>` where an import wrote
# `</p><p>`, which no reader can see. Between inline tags a space is a space between words, so only blocks.
_BLOCK = r"(?:p|h[1-6]|li|ul|ol|blockquote|figure|figcaption|table|thead|tbody|tr|td|th|div|hr|br)"
_BETWEEN_BLOCKS = re.compile(rf"(</{_BLOCK}>|<{_BLOCK}\s*/?>)\s+(?=</?{_BLOCK}[\s/>])", re.IGNORECASE)


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its label and an HTML rendering of the change."""

    name: str
    label: str
    html: str


def words(text, html=False):
    """The words of `text`; for HTML, the words of its visible text with a ¶ token between paragraphs."""
    if html:
        text = unescape(strip_tags(_BLOCK_END.sub(f" {PARAGRAPH} ", text or "")))
    return (text or "").split()


def same_markup(old, new):
    """Whether two bodies differ only by white space between blocks, which changes nothing a reader sees."""
    return _BETWEEN_BLOCKS.sub(r"\1", (old or "").strip()) == _BETWEEN_BLOCKS.sub(r"\1", (new or "").strip())


def _render(token):
    return "<br>" if token == PARAGRAPH else escape(token)


def word_diff(old, new, html=False):
    """An HTML rendering of `new` with the words removed from `old` in <del> and the added ones in <ins>."""
    a, b = words(old, html), words(new, html)
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            parts.append("<del>" + " ".join(_render(t) for t in a[i1:i2]) + "</del>")
        if op in ("insert", "replace"):
            parts.append("<ins>" + " ".join(_render(t) for t in b[j1:j2]) + "</ins>")
        if op == "equal":
            parts.append(" ".join(_render(t) for t in a[i1:i2]))
    return mark_safe(" ".join(parts))  # noqa: S308 -- every word above went through escape()


def _names(contents):
    """{field: {id: name}} for every relation id in `contents`, one query per model."""
    wanted = {}
    for name, model in {**FOREIGN_KEYS, **MANY}.items():
        ids = set()
        for content in contents:
            value = content.get(name)
            ids.update(value if isinstance(value, list) else [value] if value else [])
        wanted.setdefault(model, set()).update(ids)
    found = {
        model: dict(model.objects.filter(pk__in=ids).values_list("pk", _label_field(model)))
        for model, ids in wanted.items()
    }
    return {name: found[model] for name, model in {**FOREIGN_KEYS, **MANY}.items()}


def _label_field(model):
    return {"Article": "headline", "Author": "display_name", "Image": "title"}.get(model.__name__, "name")


def _label(name):
    return str(Article._meta.get_field(name).verbose_name).capitalize()


def _name_of(names, pk):
    return names.get(pk) or _("(deleted #%(id)s)") % {"id": pk}


def _time_text(value):
    if not value:
        return "—"
    return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M %Z")


def _choice_label(name, value):
    """The label of a choice field's value ("Opinion"), or the value itself if it is not among the choices."""
    try:
        return str(CHOICES[name](value).label)
    except ValueError:
        return value or "—"


def _change(name, old, new, names):
    if name in CHOICES:
        return format_html("<del>{}</del> → <ins>{}</ins>", _choice_label(name, old), _choice_label(name, new))
    if name in TEXT_FIELDS:
        rendered = word_diff(old or "", new or "", html=name == "body")
        if name == "body" and words(old, True) == words(new, True):
            rendered = format_html("{} <em>{}</em>", rendered, _("(formatting changed)"))
        return rendered
    if name in MANY:
        removed = [_name_of(names[name], pk) for pk in old or [] if pk not in (new or [])]
        added = [_name_of(names[name], pk) for pk in new or [] if pk not in (old or [])]
        kept = [_name_of(names[name], pk) for pk in new or [] if pk in (old or [])]
        parts = [format_html("<del>{}</del>", n) for n in removed] + [format_html("<ins>{}</ins>", n) for n in added]
        parts += [escape(n) for n in kept]
        rendered = mark_safe(", ".join(parts))  # noqa: S308 -- each part is escaped above
        if not removed and not added:  # the same authors in another byline order
            rendered = format_html("{} <em>{}</em>", rendered, _("(order changed)"))
        return rendered
    if name in TIMES:
        old_text, new_text = _time_text(old), _time_text(new)
    else:
        old_text = _name_of(names[name], old) if old else "—"
        new_text = _name_of(names[name], new) if new else "—"
    return format_html("<del>{}</del> → <ins>{}</ins>", old_text, new_text)


def compare(old, new):
    """The fields that differ between revision contents `old` and `new`, in form order, as FieldChanges."""
    old, new = complete(old), complete(new)
    names = _names([old, new])
    changes = []
    for name in CONTENT_FIELDS:
        before, after = old.get(name), new.get(name)
        if name in MANY and name not in ORDERED:
            before, after = sorted(before or []), sorted(after or [])
        if (before or None) == (after or None) or (name == "body" and same_markup(before, after)):
            continue
        changes.append(FieldChange(name, _label(name), _change(name, old.get(name), new.get(name), names)))
    return changes
