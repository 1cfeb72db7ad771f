"""The one text-folding function shared by the taxonomy (alias keys), the tagger and search.

`fold` makes two spellings of the same written word compare equal: Unicode compatibility forms,
letter case, Arabic short vowels and tatweel, alef/yaa/taa-marbuta variants, Persian letters, Arabic
digits and invisible direction marks (see shared/ARABIC.md). `name_key` goes one step further for
names: hyphens, dots and apostrophes stop mattering, so "Deir ez-Zor" and "deir ez zor" are one key.
"""

import re
import unicodedata

_LETTER_MAP = str.maketrans(
    {
        "\u0640": None,  # tatweel
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ی": "ي",  # Persian yeh
        "ک": "ك",  # Persian keheh
        "ۀ": "ه",
        "،": ",",
        "؛": ";",
        "؟": "?",
        "٪": "%",
        "\u00a0": " ",
        "\u202f": " ",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    }
)
_SPACES = re.compile(r"\s+")
_NAME_SEPARATORS = re.compile(r"[\-\u2010-\u2015_/]+")
_NAME_MARKS = re.compile(r"['.\u2018\u2019\u02bc\u02bf\u02be`]")

ARABIC_LETTERS = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")

# Characters removed before comparing, as a deletion table (str.translate is one C pass over a whole story
# body, where a regular expression steps character by character): harakat, tanween, shadda, sukun, Quranic
# marks and the superscript alef; then zero-width characters, bidi marks, soft hyphen, byte-order mark.
_MARK_RANGES = (
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06DC),
    (0x06DF, 0x06E8),
    (0x06EA, 0x06ED),
    (0x00AD, 0x00AD),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x2069),
    (0xFEFF, 0xFEFF),
)
_MARKS_OUT = {code: None for first, last in _MARK_RANGES for code in range(first, last + 1)}
_NAME_MARKS_OUT = str.maketrans("", "", "\u2018\u2019\u02bc\u02bf\u02be")  # and ' . ` (replaced first)


_NON_ASCII_RUNS = re.compile(r"[^\x00-\x7f]+")


def _translate(text, table):
    """`text.translate(table)` for tables that only map non-ASCII characters, faster on mostly-Latin text.

    str.translate looks every character up in the table once the text holds any non-ASCII character; an
    English story with a few curly quotes only needs those few runs translated.
    """
    if text.isascii():
        return text
    if len(text.encode("utf-8")) - len(text) < len(text) // 8:
        return _NON_ASCII_RUNS.sub(lambda run: run.group().translate(table), text)
    return text.translate(table)


def _nfkc(text):
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def fold(text):
    """Return `text` folded for comparison: NFKC, case-folded, Arabic variants unified, spaces collapsed."""
    if not text:
        return ""
    if text.isascii():  # NFKC and both tables leave ASCII as it is, and casefold is lower
        return " ".join(text.lower().split())
    text = _nfkc(text).translate(_MARKS_OUT).translate(_LETTER_MAP).casefold()
    return " ".join(text.split())


def name_key(name):
    """Return the lookup key of a region or actor name: `fold` plus hyphens and apostrophes ignored."""
    text = _NAME_MARKS.sub("", _NAME_SEPARATORS.sub(" ", fold(name)))
    return _SPACES.sub(" ", text).strip()


def strip_marks(text):
    """Return `text` in NFKC with invisible characters and Arabic short vowels removed, case kept.

    The tagger tokenises this form (it still needs capitals to tell "Turkey" from "turkey"), then folds
    the tokens with `fold_words`.
    """
    if not text:
        return ""
    return _translate(_nfkc(text), _MARKS_OUT)


_POSSESSIVES = ("'s ", "\u2019s ", "\u02bcs ")


def fold_words(text):
    """Fold space-separated words of `strip_marks` output the way `name_key` folds a name, word by word.

    Spaces are left exactly where they are (so the n-th word of the result is the n-th word of the input),
    an English possessive "'s" is dropped ("Syria's" is Syria) and apostrophes and dots inside a word go,
    as `name_key` drops them.
    """
    text = _translate(text, _LETTER_MAP).casefold() + " "
    for possessive in _POSSESSIVES:
        if possessive in text:
            text = text.replace(possessive, " ")
    for mark in "'.`":
        if mark in text:
            text = text.replace(mark, "")
    return _translate(text[:-1], _NAME_MARKS_OUT)


_ARABIC_RUNS = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]+")


def is_arabic(text, threshold=0.3):
    """Return True when at least `threshold` of the letters in `text` are Arabic script."""
    letters = sum(map(str.isalpha, text))
    if not letters:
        return False
    arabic = sum(map(str.isalpha, "".join(_ARABIC_RUNS.findall(text))))
    return arabic / letters >= threshold


# Characters XML 1.0 cannot carry: the C0 controls other than tab, newline and carriage return, and U+FFFE and
# U+FFFF. A feed or sitemap holding one is not XML at all, so a reader's app or Google refuses the whole file.
# Word's line break inside a paragraph (U+000B) and a form feed stand between words, so they become a space.
_NOT_XML = str.maketrans(
    {
        **dict.fromkeys((*range(0x00, 0x09), *range(0x0E, 0x20), 0xFFFE, 0xFFFF)),
        "\x0b": " ",
        "\x0c": " ",
    }
)


def xml_text(text):
    """`text` without the characters XML 1.0 cannot carry (a vertical tab or form feed becomes a space)."""
    return text.translate(_NOT_XML) if text else text
