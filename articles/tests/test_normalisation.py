"""The shared folding: spellings a reader or writer treats as the same must get the same key."""

import pytest

from articles.normalisation import fold, is_arabic, name_key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Deir ez-Zor", "deir ez zor"),
        ("Deir  EZ–Zor", "deir ez zor"),
        ("Da'ish", "Daish"),
        ("Da’ish", "DAISH"),
        ("U.S.", "us"),
        ("Erdoğan", "erdoğan"),
        ("ISIS", "isis"),
        ("أيضاً", "أيضا"),  # tanween stripped
        ("بـداعش", "بداعش"),  # tatweel stripped
        ("الإسلامية", "الاسلامية"),  # hamza under alef
        ("آمرلي", "امرلي"),  # madda
        ("الدولة", "الدوله"),  # taa marbuta
        ("مصطفى", "مصطفي"),  # alef maqsura
        ("کرکوک", "كركوك"),  # Persian kaf
        ("ﺩﻳﺮ ﺍﻟﺰﻭﺭ", "دير الزور"),  # presentation forms
        ("دير\u200f الزور", "دير الزور"),  # bidi mark
        ("دير\u00a0الزور", "دير الزور"),  # no-break space
        ("٢٠١٩", "2019"),
        ("۲۰۱۹", "2019"),
    ],
)
def test_spellings_that_mean_the_same_name_share_a_key(one, other):
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize(("one", "other"), [("Deir ez-Zor", "Deir Ezzor"), ("بغداد", "البغدادي"), ("Syria", "Syrian")])
def test_different_names_keep_different_keys(one, other):
    assert name_key(one) != name_key(other)


def test_fold_keeps_arabic_punctuation_comparable():
    assert fold("سوريا، العراق؛ لماذا؟") == "سوريا, العراق; لماذا?"


def test_arabic_script_is_detected():
    assert is_arabic("قوات سوريا الديمقراطية تعلن السيطرة على الباغوز")
    assert not is_arabic("SDF says Baghouz is under control")
    assert not is_arabic("")
