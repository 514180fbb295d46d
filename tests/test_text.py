from annotator import text


def test_normalise_text_makes_nfc_and_unix_newlines():
    decomposed = "Cafe\u0301\r\nline\rend"
    assert text.normalise_text(decomposed) == "Caf\u00e9\nline\nend"


def test_context_is_at_most_32_code_points_each_side():
    body = "x" * 40 + "QUOTE" + "y" * 40
    prefix, suffix = text.context(body, 40, 45)
    assert prefix == "x" * 32
    assert suffix == "y" * 32


def test_context_near_the_edges_is_shorter():
    assert text.context("abcdef", 1, 3) == ("a", "def")


def test_context_counts_emoji_as_one_code_point():
    body = "😀" * 40 + "Q"
    prefix, _ = text.context(body, 40, 41)
    assert prefix == "😀" * 32


def test_occurrences_include_overlapping_matches():
    assert text.occurrences("aaaa", "aa") == [0, 1, 2]
    assert text.occurrences("abc", "") == []


def test_paragraphs_keep_code_point_offsets_and_skip_blank_lines():
    body = "First 😀.\n\nSecond."
    assert text.paragraphs(body) == [(0, "First 😀."), (10, "Second.")]
    assert body[10:17] == "Second."


def test_word_count_splits_on_whitespace():
    assert text.word_count("One two\nthree  four") == 4


def test_shortened_cuts_code_points_and_keeps_a_letter_with_its_marks():
    assert text.shortened("abc", 3) == "abc"
    assert text.shortened("abcd", 3) == "ab…"
    assert text.shortened("🌍🌍🌍🌍", 3) == "🌍🌍…"  # one code point each, like Array.from
    decomposed = "ae\u0301\u0323xyz"  # e with two combining marks
    assert text.shortened(decomposed, 3) == "a…"  # never "ae…" with its marks cut off
    assert text.shortened(decomposed, 5) == "ae\u0301\u0323…"


def test_an_opening_is_the_first_words_or_code_points_with_an_ellipsis_if_cut():
    assert text.opening_words("Officials said so.") == "Officials said so."
    many = " ".join(f"w{n}" for n in range(20))
    assert text.opening_words(many) == " ".join(f"w{n}" for n in range(12)) + "…"
    twelve = " ".join(f"w{n}" for n in range(12))
    assert text.opening_words(twelve) == twelve  # nothing left out, no ellipsis
    long = text.opening_words("x" * 500)
    assert len(long) == text.OPENING_LENGTH and long.endswith("…")
