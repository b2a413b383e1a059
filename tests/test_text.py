from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.text import canonical_tones, deaccent, fold, label_key, nfc, slug


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def test_nfc_composes_nfd_input():
    assert nfc(nfd("Huyện An Bình")) == "Huyện An Bình"
    assert len(nfc(nfd("ệ"))) == 1


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoá", "hóa"),
        ("thuỷ", "thủy"),
        ("Khoà", "Khòa"),
        ("HOÀ", "HÒA"),
        ("THUỶ", "THỦY"),
        ("khoẻ", "khỏe"),
        ("hoạ", "họa"),
        ("hoả", "hỏa"),
        ("toã", "tõa"),
        ("Thuỵ", "Thụy"),
        ("Hoà Bình", "Hòa Bình"),
        ("văn hoá, thể thao", "văn hóa, thể thao"),
        ("Thuỷ_Lâm", "Thủy_Lâm"),
    ],
)
def test_canonical_tones_moves_old_placement(old, new):
    assert canonical_tones(old) == new
    assert canonical_tones(nfd(old)) == new


@pytest.mark.parametrize(
    "word",
    ["hóa", "thủy", "quý", "Quý", "quỷ", "hoàng", "huỳnh", "ngoài", "toán", "khuya", "Huyện", "quà"],
)
def test_canonical_tones_leaves_new_style_and_non_final_diphthongs(word):
    assert canonical_tones(word) == word


def test_nfc_alone_does_not_unify_tone_placement():
    assert nfc("Hoà") != nfc("Hòa")
    assert canonical_tones("Hoà") == canonical_tones("Hòa")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("  TP. Hoà  Bình ", "tp hoa binh"),
        ("Huyện An Bình", "huyen an binh"),
        ("ĐÔNG PHONG", "dong phong"),
        ("Đ\u00a0x\ty\nz", "d x y z"),
        ("huyen-an-binh_v2.xlsx", "huyen an binh v2 xlsx"),
        ("Ủy ban nhân dân", "uy ban nhan dan"),
        ("Uỷ ban nhân dân", "uy ban nhan dan"),
        ("", ""),
        ("...", ""),
    ],
)
def test_fold(raw, key):
    assert fold(raw) == key
    assert fold(nfd(raw)) == key


def test_fold_unifies_tone_placement_and_missing_diacritics():
    assert fold("Hoá Lạc") == fold("Hóa Lạc") == fold("HOA LAC") == fold(nfd("hoà lạc"))


def test_slug():
    assert slug("Huyện An Bình") == "huyen_an_binh"
    assert slug("  TP. Hoà  Bình ") == "tp_hoa_binh"


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Số vụ, việc", "so vu viec"),
        ("Số vụ việc", "so vu viec"),
        ("2.1. Tổng số đơn", "tong so don"),
        ("a) Tổng số đơn", "tong so don"),
        ("- Tổng số đơn (đơn)", "tong so don"),
        ("IV. Kết quả", "ket qua"),
        ("(1)", ""),
    ],
)
def test_label_key_drops_numbering_punctuation_and_a_final_parenthesis(label, key):
    assert label_key(label) == key


def test_deaccent_keeps_punctuation():
    assert deaccent("Quý III/2021") == "quy iii/2021"
    assert deaccent("  Kỳ\u00a0báo  cáo:\tQuý 3 ") == "ky bao cao: quy 3"


@given(st.text())
def test_fold_properties(s):
    key = fold(s)
    assert key == key.strip()
    assert "  " not in key
    assert fold(key) == key
    assert fold(canonical_tones(s)) == key
    assert slug(s) == key.replace(" ", "_")


@given(st.text())
def test_canonical_tones_idempotent(s):
    once = canonical_tones(s)
    assert canonical_tones(once) == once
    assert unicodedata.is_normalized("NFC", once)
