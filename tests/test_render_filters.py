"""The number filters, wording helpers, claim markers and template errors of notewriter/render.py.

Expected strings come from the reference notes in ../shared/reference-notes, the golden sample notes and the
house style in the README ("$399.4 million", "0.6%", "649,550,000", "October 31, 2025")."""

from __future__ import annotations

import math
import re
from datetime import date

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notewriter import render
from notewriter.claims import Claim
from notewriter.render import (
    CLOSE, FILTERS, OPEN, SEP, article, integer, listsep, longdate, num, ordinal, pct, pick, price, shares, snum,
    spct, template_error, tidy, unmark, usd, words,
)


def claim(value, unit="usd", id="flow.net_usd", digits=None) -> Claim:
    return Claim(id=id, metric="m", value=value, unit=unit, fact_refs=(f"facts.{id}",), digits=digits)


# ---- money ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,shown", [
    (-399_395_880.0, "$399.4 million"),  # IJR's planted week (samples/README.md); the sign is left to the words
    (-1_509_000_000.0, "$1.5 billion"),  # QQQ on 2025-10-31
    (66_505_178_250.0, "$66.5 billion"),
    (580_475_833.8, "$580.5 million"),
    (-2_476_254.0, "$2.5 million"),
    (200_000_000.0, "$200 million"),  # an exactly round threshold keeps no decimal
    (1_000_000_000.0, "$1 billion"),
    (999_960_000.0, "$1.0 billion"),  # never "$1,000.0 million"
    (1_200_000_000_000.0, "$1.2 trillion"),
    (12_500.0, "$12,500"),
    (949_000.0, "$949,000"),
    (0.0, "$0"),
    (0.4, "$0"),
])
def test_usd(value, shown):
    assert usd(value) == shown


@pytest.mark.parametrize("value,shown", [
    (601_465_200.0, "+$601.5 million"),
    (-1_509_000_000.0, "-$1.5 billion"),
    (-12_500.0, "-$12,500"),
    (0.0, "$0"), (-0.4, "$0"), (0.4, "$0"),  # nothing to sign once it prints as zero
    (-0.6, "-$1"),
])
def test_signed_usd(value, shown):
    assert usd(value, signed=True) == shown


_USD = re.compile(r"([+-]?)\$([\d,]+)(?:\.(\d))?(?: (million|billion|trillion))?")
_SCALE = {None: 1.0, "million": 1e6, "billion": 1e9, "trillion": 1e12}


@settings(max_examples=400, deadline=None)
@given(x=st.floats(allow_nan=False, allow_infinity=False), signed=st.booleans())
def test_usd_reads_back_within_its_printed_rounding(x, signed):
    shown = usd(x, signed=signed)
    m = _USD.fullmatch(shown)
    assert m, shown
    sign, whole, decimal, unit = m.groups()
    scale = _SCALE[unit]
    read = float(whole.replace(",", "") + (f".{decimal}" if decimal else ""))  # in units of `scale`
    if decimal:
        slack = 0.05  # one decimal shown: within half a tenth of the unit
    elif unit:
        slack = 0.0  # no decimal next to a unit word only for an exactly round amount
    else:
        slack = 0.5  # whole dollars
    amount = abs(x) / scale  # compared in the unit shown, so the largest floats do not overflow
    assert abs(amount - read) <= slack + 1e-12 * amount, (x, shown)
    if unit:  # the largest unit that still reads at least 1 (after rounding to one decimal)
        assert read >= 0.95
        if unit != "trillion":
            assert read < 1000
    else:
        assert read < 1e6
    if signed and read != 0:
        assert sign == ("-" if x < 0 else "+")
    else:
        assert sign == ""


# ---- percentages, shares, prices, plain numbers -------------------------------------------------------------------

@pytest.mark.parametrize("value,shown", [
    (-0.006004156723885767, "0.6%"),  # "a 0.6% decline in shares outstanding"
    (0.0766, "7.7%"), (0.181, "18.1%"), (0.02, "2.0%"), (0.0, "0.0%"),
    (0.0006, "0.06%"),  # "a 0.06% expense ratio": a tiny figure gets a second digit
    (0.0009, "0.09%"), (0.001, "0.1%"), (12.345, "1,234.5%"),
])
def test_pct(value, shown):
    assert pct(value) == shown


@pytest.mark.parametrize("value,shown", [
    (0.032, "+3.2%"), (-0.001, "-0.1%"), (0.015, "+1.5%"), (0.048, "+4.8%"), (0.044, "+4.4%"),  # reference note 000
    (0.0, "0.0%"), (-0.00001, "0.00%"), (0.00001, "0.00%"),  # never "-0.00%" or "+0.0%"
])
def test_spct(value, shown):
    assert spct(value) == shown


def test_pct_at_a_given_precision():
    assert pct(0.0006, 2) == "0.06%" and pct(0.123, 0) == "12%" and pct(-0.0123, 2) == "1.23%"
    assert spct(-0.0123, 2) == "-1.23%" and pct(0.0123, signed=True) == "+1.2%"


def test_shares_integer_price_num_snum():
    assert shares(649_550_000) == "649,550,000" and shares(645_650_000) == "645,650,000"
    assert shares(-3_900_000) == "3,900,000"  # "Redemptions of 3,900,000 IJR shares"
    assert integer(5) == "5" and integer(-2) == "2" and integer(1234.6) == "1,235"
    assert price(102.9975) == "$103.00" and price(78.5695) == "$78.57" and price(101.23) == "$101.23"
    assert price(1234.5) == "$1,234.50"
    assert num(0.6880491) == "0.7" and num(-1.25, 2) == "1.25" and num(12345.678, 0) == "12,346"
    assert snum(-15.24, 1) == "-15.2" and snum(0.45) == "0.45" and snum(-0.001) == "0.00"


def test_longdate():
    assert longdate("2026-04-02") == "April 2, 2026"
    assert longdate(date(2025, 10, 31)) == "October 31, 2025"
    assert longdate(claim("2025-11-03", "date", "dates.next_session")) == "November 3, 2025"


def test_words_and_ordinals():
    assert [words(n) for n in range(11)] == ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                                               "nine", "ten"]
    assert words(11) == "11" and words(12_000) == "12,000" and words(-1) == "-1" and words(2.4) == "two"
    expected = {0: "0th", 1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 8: "8th", 10: "10th", 11: "11th", 12: "12th",
                13: "13th", 20: "20th", 21: "21st", 22: "22nd", 23: "23rd", 101: "101st", 111: "111th", 112: "112th",
                113: "113th", 122: "122nd"}
    assert {n: ordinal(n) for n in expected} == expected


# ---- a or an ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shown,word", [
    ("$8.1 billion", "an"), ("8.7%", "an"), ("$800 million", "an"), ("$80,000", "an"), ("11%", "an"),
    ("18-month", "an"), ("$11.5 million", "an"), ("$18 billion", "an"), ("$11,000", "an"), ("$18,500", "an"),
    ("1.5%", "a"), ("$1.5 billion", "a"), ("$399.4 million", "a"), ("0.8%", "a"), ("1.8%", "a"), ("$1.1 billion", "a"),
    ("$110 million", "a"), ("+3.2%", "a"),
])
def test_article(shown, word):
    assert article(shown) == word


def test_article_reads_a_marked_number():
    assert article(FILTERS["usd"](claim(8.1e9))) == "an"


@pytest.mark.parametrize("shown,word", [("$110,000", "a"), ("$180,500", "a"), ("11,500,000", "an")])
def test_article_reads_the_leading_group_as_spoken(shown, word):
    assert article(shown) == word


# ---- wording helpers --------------------------------------------------------------------------------------------

def test_pick_is_a_deterministic_choice_among_the_options():
    options = ["recorded", "saw", "posted"]
    first = pick(options, "IJR", "2025-10-31", "verb")
    assert first in options
    assert all(pick(list(options), "IJR", "2025-10-31", "verb") == first for _ in range(5))
    assert pick(iter(options), "IJR", "2025-10-31", "verb") == first  # any iterable of options
    chosen = {pick(options, t, "2025-10-31", "verb") for t in [f"T{i}" for i in range(60)]}
    assert chosen == set(options), "different seeds vary the wording"


def _spoken(items) -> str:
    env = render.environment()
    return env.from_string("{% for x in xs %}{{ x }}{{ listsep(loop) }}{% endfor %}").render(xs=items)


def test_listsep():
    assert _spoken(["JXN", "PRIM", "FORM"]) == "JXN, PRIM and FORM"
    assert _spoken(["JXN", "PRIM", "FORM", "ADC"]) == "JXN, PRIM, FORM and ADC"
    assert _spoken(["JXN", "PRIM"]) == "JXN and PRIM"
    assert _spoken(["JXN"]) == "JXN"
    assert _spoken([]) == ""


@pytest.mark.parametrize("raw,clean", [
    ("  The fund\n   lost \t $1 million ,\n\n so far .  ", "The fund lost $1 million, so far."),
    ("Components include\n  JXN (JXN +3.2% ) ; PRIM :\n", "Components include JXN (JXN +3.2%); PRIM:"),
    ("\n\n", ""),
])
def test_tidy(raw, clean):
    assert tidy(raw) == clean


def test_tidy_leaves_no_stray_whitespace():
    text = tidy("\n    A  sentence .\n\n\n  Another one ,  here ;  \n")
    assert text == text.strip() and "  " not in text and "\n" not in text and "\t" not in text
    assert not re.search(r"\s[,.;:)]", text)


# ---- claim markers ----------------------------------------------------------------------------------------------

def test_a_filtered_claim_is_marked_and_unmark_finds_it():
    flow = claim(-399_395_880.0)
    start = claim(649_550_000, "shares", "flow.shares_start")
    marked = f"IJR lost {FILTERS['usd'](flow)}; shares fell from {FILTERS['shares'](start)}."
    assert marked.count(OPEN) == marked.count(SEP) == marked.count(CLOSE) == 2
    text, spans = unmark(marked)
    assert text == "IJR lost $399.4 million; shares fell from 649,550,000."
    # "IJR lost " is 9 characters; "$399.4 million" 14; "; shares fell from " 19; "649,550,000" 11
    assert spans == [(9, 23, "flow.net_usd"), (42, 53, "flow.shares_start")]
    assert [text[a:b] for a, b, _ in spans] == ["$399.4 million", "649,550,000"]


def test_unmark_of_plain_text_is_the_text():
    assert unmark("no numbers from claims here: 42") == ("no numbers from claims here: 42", [])


def test_plain_values_are_not_marked():
    assert FILTERS["usd"](-399_395_880.0) == "$399.4 million"
    assert FILTERS["pct"](0.006) == "0.6%"


def test_a_claim_prints_at_its_own_precision_unless_the_template_says():
    ratio = claim(0.00063, "pct", "identity.expense_ratio", digits=2)
    assert unmark(FILTERS["pct"](ratio))[0] == "0.06%"
    assert unmark(FILTERS["pct"](ratio, 3))[0] == "0.063%"
    z = claim(-15.2345, "zscore", "history.zscore", digits=1)
    assert unmark(FILTERS["snum"](z))[0] == "-15.2"
    assert unmark(FILTERS["snum"](claim(-15.2345, "zscore", "x")))[0] == "-15.23"  # the filter's default


def test_templates_mark_what_they_print():
    env = render.environment()
    out = env.from_string("lost {{ x | usd }} ({{ y | spct }})").render(
        x=claim(-399_395_880.0), y=claim(0.032, "pct", "components[0].day_change"))
    assert unmark(out) == ("lost $399.4 million (+3.2%)",
                           [(5, 19, "flow.net_usd"), (21, 26, "components[0].day_change")])


# ---- missing and non-finite values -------------------------------------------------------------------------------

NUMBER_FILTERS = ["usd", "pct", "spct", "shares", "price", "num", "snum", "integer", "ordinal", "words"]


@pytest.mark.parametrize("name", NUMBER_FILTERS + ["longdate"])
def test_a_missing_value_is_refused_not_printed(name):
    with pytest.raises(ValueError):
        FILTERS[name](None)


@pytest.mark.parametrize("name", NUMBER_FILTERS)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_value_is_refused_not_printed(name, bad):
    with pytest.raises(ValueError, match="non-finite"):
        FILTERS[name](bad)
    with pytest.raises(ValueError, match="non-finite"):
        FILTERS[name](claim(bad))


def test_a_template_cannot_print_none_nan_or_a_hole():
    env = render.environment()
    with pytest.raises(ValueError, match=r"missing value; guard it with \{% if %\}"):
        env.from_string("{{ x | usd }}").render(x=None)
    with pytest.raises(ValueError):
        env.from_string("{{ x | pct }}").render(x=float("nan"))
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ nowhere | usd }}").render()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ nowhere }}").render()
    # guarded, a missing fact simply says less
    assert env.from_string("{% if x %}{{ x | usd }}{% endif %}done").render(x=None) == "done"


# ---- template errors -----------------------------------------------------------------------------------------------

def test_a_syntax_error_names_the_override_file_and_line(tmp_path):
    path = tmp_path / "sections" / "lede.md.j2"
    path.parent.mkdir()
    path.write_text("{{ T }} recorded a flow.\n{% if %}\n")
    env = render.environment(tmp_path)
    with pytest.raises(jinja2.TemplateSyntaxError) as info:
        env.get_template("sections/lede.md.j2")
    message = template_error(info.value, info.value.__traceback__)
    assert message.startswith(f"{path}, line 2: ")
    assert len(message) > len(f"{path}, line 2: ")  # and says what is wrong


def test_an_undefined_name_names_the_template_file_and_line(tmp_path):
    path = tmp_path / "footer.md.j2"
    path.write_text("Data: {{ T }}.\n\nNot investment advice, {{ nobody_defined_this }}.\n")
    env = render.environment(tmp_path)
    try:
        env.get_template("footer.md.j2").render(T="IJR")
    except jinja2.TemplateError as err:
        message = template_error(err, err.__traceback__)
    else:
        pytest.fail("an undefined name rendered")
    assert message.startswith(f"{path}, line 3: ")
    assert "nobody_defined_this" in message


def test_a_template_without_a_file_is_called_a_template():
    env = render.environment()
    with pytest.raises(jinja2.TemplateSyntaxError) as info:
        env.from_string("{% if %}")
    assert template_error(info.value, info.value.__traceback__).startswith("a template: ")
