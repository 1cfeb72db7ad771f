"""The one text-folding function shared by the taxonomy (alias keys), the tagger and search.

`fold` makes two spellings of the same written word compare equal: Unicode compatibility forms,
letter case, Arabic short vowels and tatweel, alef/yaa/taa-marbuta variants, Persian letters, Arabic
digits and invisible direction marks (see shared/ARABIC.md). `name_key` goes one step further for
names: hyphens, dots and apostrophes stop mattering, so "Deir ez-Zor" and "deir ez zor" are one key.
"""

import re
import unicodedata

# Harakat, tanween, shadda, sukun, Quranic marks and the superscript alef.
_HARAKAT = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
# Zero-width characters, bidi marks and embeddings, soft hyphen, byte-order mark.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
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


def fold(text):
    """Return `text` folded for comparison: NFKC, case-folded, Arabic variants unified, spaces collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _HARAKAT.sub("", text)
    text = text.translate(_LETTER_MAP).casefold()
    return _SPACES.sub(" ", text).strip()


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
    return _HARAKAT.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)))


_POSSESSIVE = re.compile(r"['\u2019\u02bc]s(?= |$)")


def fold_words(text):
    """Fold space-separated words of `strip_marks` output the way `name_key` folds a name, word by word.

    Spaces are left exactly where they are (so the n-th word of the result is the n-th word of the input),
    an English possessive "'s" is dropped ("Syria's" is Syria) and apostrophes and dots inside a word go,
    as `name_key` drops them.
    """
    text = _POSSESSIVE.sub("", text.translate(_LETTER_MAP).casefold())
    return _NAME_MARKS.sub("", text)


def is_arabic(text, threshold=0.3):
    """Return True when at least `threshold` of the letters in `text` are Arabic script."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    arabic = sum(1 for c in letters if ARABIC_LETTERS.match(c))
    return arabic / len(letters) >= threshold
