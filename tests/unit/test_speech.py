"""Vietnamese number reading, ticket labels and the call sentence (core/speech.py)."""

import unicodedata

import pytest

from core.speech import (DEFAULT_TEMPLATE, LETTERS, Announcement, announcement_text, clip_sequence,
                         read_digits, read_number, slugify, spoken_ticket)


@pytest.mark.parametrize("number, words", [
    (0, "không"),
    (1, "một"),
    (4, "bốn"),
    (5, "năm"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi bốn"),
    (25, "hai mươi lăm"),
    (55, "năm mươi lăm"),
    (91, "chín mươi mốt"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (1000, "một nghìn"),
    (1001, "một nghìn không trăm linh một"),
    (1005, "một nghìn không trăm linh năm"),
    (1010, "một nghìn không trăm mười"),
    (1023, "một nghìn không trăm hai mươi ba"),
    (1200, "một nghìn hai trăm"),
    (9999, "chín nghìn chín trăm chín mươi chín"),
    (10000, "mười nghìn"),
    (21000, "hai mươi mốt nghìn"),
    (100000, "một trăm nghìn"),
    (105000, "một trăm linh năm nghìn"),
    (999999, "chín trăm chín mươi chín nghìn chín trăm chín mươi chín"),
    (1000000, "một triệu"),
    (2000000001, "hai tỷ không trăm linh một"),
])
def test_read_number(number, words):
    assert read_number(number) == words


def test_read_number_is_nfc():
    for number in range(0, 2000, 7):
        text = read_number(number)
        assert unicodedata.normalize("NFC", text) == text


@pytest.mark.parametrize("bad", [-1, 10**12])
def test_read_number_out_of_range(bad):
    with pytest.raises(ValueError, match="read_number reads"):
        read_number(bad)


@pytest.mark.parametrize("bad", ["12", 1.5, True])
def test_read_number_needs_an_int(bad):
    with pytest.raises(TypeError):
        read_number(bad)


@pytest.mark.parametrize("digits, words", [
    ("001", "không, không, một"),
    ("1023", "một, không, hai, ba"),
    ("5", "năm"),
    ("789", "bảy, tám, chín"),
])
def test_read_digits(digits, words):
    assert read_digits(digits) == words


@pytest.mark.parametrize("bad", ["", "12a", "-1", "١٢"])
def test_read_digits_rejects_non_digits(bad):
    with pytest.raises(ValueError):
        read_digits(bad)


@pytest.mark.parametrize("ticket, mode, spoken", [
    ("A001", "natural", "a, một"),
    ("A001", "digits", "a, không, không, một"),
    ("B12", "natural", "bê, mười hai"),
    ("1023", "natural", "một nghìn không trăm hai mươi ba"),
    ("1023", "digits", "một, không, hai, ba"),
    ("000", "natural", "không"),
    ("S015", "natural", "ét-xì, mười lăm"),
    ("Y21", "natural", "i dài, hai mươi mốt"),
    ("W5", "natural", "vê kép, năm"),
    ("đ7", "natural", "đê, bảy"),
    ("a-001", "natural", "a, một"),
    ("5A", "natural", "năm, a"),
])
def test_spoken_ticket(ticket, mode, spoken):
    assert spoken_ticket(ticket, mode) == spoken


def test_every_letter_has_a_name_and_an_ascii_clip():
    for letter in "ABCDĐEGHIKLMNOPQRSTUVXYFJWZ":
        name, clip = LETTERS[letter]
        assert name and unicodedata.normalize("NFC", name) == name
        assert clip.startswith("letter_") and clip.isascii()
    assert LETTERS["L"][0] == "e-lờ" and LETTERS["X"][0] == "ích-xì" and LETTERS["Đ"][1] == "letter_dd"


@pytest.mark.parametrize("ticket", ["", "--", "A$1", "Ж1"])
def test_spoken_ticket_rejects_unreadable_labels(ticket):
    with pytest.raises(ValueError):
        spoken_ticket(ticket, "natural")


def test_spoken_ticket_rejects_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        spoken_ticket("A1", "english")


def test_default_announcement():
    assert (announcement_text(DEFAULT_TEMPLATE, "1023", "5", "natural")
            == "Mời công dân có số thứ tự một nghìn không trăm hai mươi ba đến quầy số năm.")


def test_announcement_with_letter_digits_and_lettered_counter():
    assert (announcement_text(DEFAULT_TEMPLATE, "A001", "5A", "digits")
            == "Mời công dân có số thứ tự a, không, không, một đến quầy số năm, a.")


def test_counter_is_read_naturally_unless_asked():
    template = "Xin mời số {number} vào cửa số {counter}."
    assert announcement_text(template, "12", "12", "digits") == \
        "Xin mời số một, hai vào cửa số mười hai."
    assert announcement_text(template, "12", "12", "digits", counter_mode="digits") == \
        "Xin mời số một, hai vào cửa số một, hai."


def test_template_braces_typed_by_an_admin_do_not_break_it():
    assert announcement_text("Số {number} {quầy}", "7", "1") == "Số bảy {quầy}"


def test_template_without_number_is_refused():
    with pytest.raises(ValueError, match="{number}"):
        announcement_text("Mời công dân đến quầy {counter}.", "1", "2")


def test_announcement_is_nfc_even_from_a_decomposed_template():
    decomposed = unicodedata.normalize("NFD", DEFAULT_TEMPLATE)
    text = announcement_text(decomposed, "1", "2")
    assert text == unicodedata.normalize("NFC", text)
    assert text.startswith("Mời công dân")


def test_slugify():
    assert slugify("Mời công dân có số thứ tự ") == "moi_cong_dan_co_so_thu_tu"
    assert slugify(" đến quầy số ") == "den_quay_so"
    assert slugify("Đường") == "duong"
    assert slugify(". ") == ""


def test_clip_sequence_natural():
    assert clip_sequence(DEFAULT_TEMPLATE, "1023", "5", "natural") == [
        "moi_cong_dan_co_so_thu_tu", "mot", "nghin", "khong", "tram", "hai", "muoi", "ba",
        "den_quay_so", "nam"]


def test_clip_sequence_letter_then_pause_and_digits():
    assert clip_sequence(DEFAULT_TEMPLATE, "A001", "5A", "digits") == [
        "moi_cong_dan_co_so_thu_tu", "letter_a", "pause", "khong", "pause", "khong", "pause", "mot",
        "den_quay_so", "nam", "pause", "letter_a"]


def test_clip_sequence_keeps_words_that_differ_only_by_tone_apart():
    # "mười" (10) and "mươi" (tens), "mốt" and "một" sound different, so they need different clips.
    assert clip_sequence(DEFAULT_TEMPLATE, "15", "21") == [
        "moi_cong_dan_co_so_thu_tu", "muoi_huyen", "lam", "den_quay_so", "hai", "muoi", "mot_sac"]
    assert clip_sequence(DEFAULT_TEMPLATE, "101", "1")[1:5] == ["mot", "tram", "linh", "mot"]


def test_clip_sequence_turns_template_punctuation_into_single_pauses():
    template = "Xin mời, số {number}; vào cửa số {counter}!"
    assert clip_sequence(template, "B2", "3") == [
        "xin_moi", "pause", "so", "letter_b", "pause", "hai", "pause", "vao_cua_so", "ba"]


def test_clip_sequence_matches_text_word_for_word():
    # Every spoken word becomes one clip: recorded and synthesized calls say the same thing.
    for ticket, mode in [("A1023", "natural"), ("B007", "digits"), ("99999", "natural")]:
        numbers = clip_sequence("{number}", ticket, "1", mode)
        words = spoken_ticket(ticket, mode).replace(",", " ").split()
        assert len([clip for clip in numbers if clip != "pause"]) == len(words)


def test_announcement_object():
    call = Announcement(number="A001", counter="5", mode="digits")
    assert call.text() == announcement_text(DEFAULT_TEMPLATE, "A001", "5", "digits")
    assert call.clips() == clip_sequence(DEFAULT_TEMPLATE, "A001", "5", "digits")
