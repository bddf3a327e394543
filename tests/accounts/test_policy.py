"""The password policy: each rule with examples under both presets, then properties that
hold for every password (Hypothesis). No database, so these run once, not on two.

alice@oakfield.example works at Oakfield Academy (as in conftest.py).
"""

import json
import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haven.accounts.policy import (
    CODES,
    DEFAULT_PRESET,
    PRESETS,
    PasswordPolicy,
    PasswordRejected,
    common_passwords,
)
from haven.errors import APIError, HavenError
from haven.schools.models import DEFAULT_SETTINGS
from tests.conftest import PASSWORD

SCHOOL = PasswordPolicy.for_school("school")
NIST = PasswordPolicy.for_school("nist")
ALICE = "alice@oakfield.example"
OAKFIELD = "Oakfield Academy"
# Acceptable under every preset: 17 characters, all four kinds, on no list.
STRONG = "Correct-Horse-42!"
# Hypothesis: few examples, so the whole file runs in a second or two.
modest = settings(max_examples=60)


def codes(policy, password, *, email=ALICE, school_name=OAKFIELD, has_authenticator=False):
    problems = policy.check(
        password, email=email, school_name=school_name, has_authenticator=has_authenticator
    )
    return [problem.code for problem in problems]


every_policy = pytest.mark.parametrize(
    "policy, has_authenticator",
    [(SCHOOL, False), (SCHOOL, True), (NIST, False), (NIST, True)],
    ids=["school", "school-with-authenticator", "nist", "nist-with-authenticator"],
)


# --- presets ------------------------------------------------------------------------------


def test_a_new_school_gets_the_school_preset():
    assert DEFAULT_SETTINGS["password_policy"] == DEFAULT_PRESET == "school"
    assert PasswordPolicy.for_school(DEFAULT_PRESET) is SCHOOL


def test_an_unknown_preset_is_refused_with_the_presets_named():
    with pytest.raises(HavenError, match="'strict' is not a password policy: use school, nist."):
        PasswordPolicy.for_school("strict")


def test_the_password_the_other_tests_sign_in_with_is_acceptable_everywhere():
    assert PASSWORD == STRONG
    for policy in PRESETS.values():
        assert codes(policy, STRONG) == []


# --- the school preset: 8 characters of four kinds ----------------------------------------


def test_the_school_preset_needs_8_characters():
    assert codes(SCHOOL, "Qz7!wkp") == ["PASSWORD_TOO_SHORT"]
    assert codes(SCHOOL, "Qz7!wkpv") == []


def test_an_authenticator_does_not_shorten_the_school_preset():
    assert codes(SCHOOL, "Qz7!wkp", has_authenticator=True) == ["PASSWORD_TOO_SHORT"]


@pytest.mark.parametrize(
    "password, code",
    [
        ("CORRECT-HORSE-42!", "PASSWORD_NEEDS_LOWER"),
        ("correct-horse-42!", "PASSWORD_NEEDS_UPPER"),
        ("Correct-Horse-!!", "PASSWORD_NEEDS_DIGIT"),
        ("CorrectHorse42", "PASSWORD_NEEDS_SYMBOL"),
    ],
)
def test_the_school_preset_needs_each_kind_of_character(password, code):
    assert codes(SCHOOL, password) == [code]
    assert codes(NIST, password, has_authenticator=True) == []


def test_a_space_counts_as_a_symbol():
    assert codes(SCHOOL, "Correct Horse 42") == []


def test_letters_of_any_script_count_as_upper_and_lower_case():
    assert codes(SCHOOL, "ÆØÅ æøå 2024") == []
    assert codes(SCHOOL, "Ünïcödé-2024") == []
    assert codes(SCHOOL, "ünïcödé-2024") == ["PASSWORD_NEEDS_UPPER"]
    assert codes(SCHOOL, "ÜNÏCÖDÉ-2024") == ["PASSWORD_NEEDS_LOWER"]


# --- the nist preset: 15 characters, or 8 with an authenticator, nothing else -------------


def test_the_nist_preset_needs_15_characters():
    assert codes(NIST, "marmaladekettle") == []
    assert codes(NIST, "marmaladekettl") == ["PASSWORD_TOO_SHORT"]
    assert NIST.check("marmaladekettl", email=ALICE, school_name=OAKFIELD)[0].message == (
        "Use at least 15 characters."
    )


def test_the_nist_preset_needs_8_characters_from_someone_with_an_authenticator():
    assert codes(NIST, "mugs&tea", has_authenticator=True) == []
    assert codes(NIST, "mugs&te", has_authenticator=True) == ["PASSWORD_TOO_SHORT"]


def test_the_nist_preset_has_no_composition_rules():
    assert codes(NIST, "all lower case words") == []


# --- both presets: length, exactly as typed -----------------------------------------------


@every_policy
def test_128_characters_are_accepted_and_129_refused(policy, has_authenticator):
    longest = (STRONG * 8)[:128]
    assert codes(policy, longest, has_authenticator=has_authenticator) == []
    assert codes(policy, longest + "x", has_authenticator=has_authenticator) == [
        "PASSWORD_TOO_LONG"
    ]
    problem = policy.check(longest + "x", email=ALICE, school_name=OAKFIELD)[0]
    assert problem.message == "Use at most 128 characters."


def test_leading_and_trailing_spaces_count_and_are_kept():
    assert codes(SCHOOL, "Qz7!wkp") == ["PASSWORD_TOO_SHORT"]
    assert codes(SCHOOL, " Qz7!wkp") == []
    assert codes(NIST, "marmaladekettl ") == []
    assert codes(NIST, "  marmaladeket  ") == []


def test_length_is_counted_after_normalising_as_for_hashing():
    # The same "é" on screen: one code point (U+00E9), or "e" and a combining accent.
    # Both are hashed as the one code point (NFKC), so both count as 7 characters.
    one_code_point = "Qz7!wk\u00e9"
    two_code_points = "Qz7!wke\u0301"
    assert codes(SCHOOL, one_code_point) == ["PASSWORD_TOO_SHORT"]
    assert codes(SCHOOL, two_code_points) == ["PASSWORD_TOO_SHORT"]
    # NFKC makes the one-character ligature "ﬃ" into the three letters it stands for.
    assert len("marmaladekeys\ufb03") == 14
    assert codes(NIST, "marmaladekeys\ufb03") == []


def test_full_width_forms_of_a_common_password_are_recognised():
    assert "PASSWORD_TOO_COMMON" in codes(SCHOOL, "\uff30\uff41\uff53\uff53\uff57\uff4f"
                                                  "\uff52\uff44\uff11\uff12\uff13\uff01")


# --- both presets: common passwords -------------------------------------------------------


def test_the_list_of_common_passwords_has_at_least_the_10000_most_common():
    listed = common_passwords()
    assert len(listed) >= 10_000
    assert {"123456", "password", "qwerty123", "liverpool"} <= listed
    assert all(password == password.lower() and password for password in listed)
    assert not any(password.startswith("#") for password in listed)


@every_policy
@pytest.mark.parametrize("password", ["password", "Password", "PASSWORD", "qwerty123"])
def test_a_common_password_is_refused_whatever_its_case(policy, has_authenticator, password):
    assert "PASSWORD_TOO_COMMON" in codes(policy, password, has_authenticator=has_authenticator)


@pytest.mark.parametrize("password", ["Password1!", "!Monkey2024", "Passw0rd!!", "Liverpool-1234"])
def test_a_common_password_with_digits_or_symbols_at_its_ends_is_refused(password):
    problems = SCHOOL.check(password, email=ALICE, school_name=OAKFIELD)
    assert [problem.code for problem in problems] == ["PASSWORD_TOO_COMMON"]
    assert problems[0].message == (
        "This password is a common password with digits or symbols added: choose another."
    )


def test_common_words_inside_a_longer_password_are_fine():
    assert codes(SCHOOL, "Monkey-Teapot-42") == []
    assert codes(NIST, "orange giraffe pencil") == []


@every_policy
@pytest.mark.parametrize("password", ["aaaaaaaaaaaaaaa", " " * 15, "!" * 20])
def test_one_character_repeated_is_refused(policy, has_authenticator, password):
    assert "PASSWORD_TOO_COMMON" in codes(policy, password, has_authenticator=has_authenticator)


# --- both presets: the person's email name and the school's name --------------------------


@every_policy
@pytest.mark.parametrize("password", ["Alice-Horse-42!x", "my-ALICE-horse-42", "xxalicexx-Horse-4"])
def test_alices_email_name_is_refused_in_any_case(policy, has_authenticator, password):
    assert codes(policy, password, has_authenticator=has_authenticator) == [
        "PASSWORD_CONTAINS_EMAIL"
    ]


def test_each_longer_word_of_an_email_name_is_refused():
    email = "alice.jones@oakfield.example"
    assert codes(SCHOOL, "Jones-Horse-42!", email=email) == ["PASSWORD_CONTAINS_EMAIL"]


def test_an_email_name_shorter_than_3_characters_is_not_looked_for():
    assert codes(SCHOOL, "Al-Horse-Box-42!", email="al@oakfield.example") == []


@every_policy
@pytest.mark.parametrize(
    "password", ["Oakfield2024!xyz", "Oakfield Academy 42!", "AcademyHorse-42!"]
)
def test_the_schools_name_and_each_word_of_it_are_refused(policy, has_authenticator, password):
    assert codes(policy, password, has_authenticator=has_authenticator) == [
        "PASSWORD_CONTAINS_SCHOOL"
    ]


def test_the_whole_name_of_a_school_of_short_words_is_refused_with_or_without_spaces():
    for password in ["Ash Lea Horse 42!", "AshLea-Horse-42!"]:
        assert codes(SCHOOL, password, school_name="Ash Lea") == ["PASSWORD_CONTAINS_SCHOOL"]
    # Words shorter than 4 letters are not looked for on their own.
    assert codes(SCHOOL, "Ashford-Horse-42!", school_name="Ash Lea") == []


# --- the refusal --------------------------------------------------------------------------


def test_the_refusal_names_every_rule_broken_and_is_coded_by_the_first():
    with pytest.raises(PasswordRejected) as refusal:
        SCHOOL.enforce("password", email=ALICE, school_name=OAKFIELD)
    assert isinstance(refusal.value, APIError)
    assert refusal.value.status == 400
    assert refusal.value.code == "PASSWORD_TOO_COMMON"
    assert refusal.value.message == (
        "This password is on a list of common passwords: choose another. "
        "Include an upper-case letter. Include a digit. "
        "Include a symbol, such as ! or # or a space."
    )
    assert [problem.code for problem in refusal.value.problems] == [
        "PASSWORD_TOO_COMMON",
        "PASSWORD_NEEDS_UPPER",
        "PASSWORD_NEEDS_DIGIT",
        "PASSWORD_NEEDS_SYMBOL",
    ]


def test_the_refusal_never_repeats_the_password():
    with pytest.raises(PasswordRejected) as refusal:
        NIST.enforce("Alice@Oakfield", email=ALICE, school_name=OAKFIELD)
    assert refusal.value.code == "PASSWORD_TOO_SHORT"
    assert refusal.value.message == (
        "Use at least 15 characters. Leave your email name out of the password. "
        "Leave the school's name, and each word of it, out of the password."
    )


def test_an_acceptable_password_is_enforced_silently():
    assert SCHOOL.enforce(STRONG, email=ALICE, school_name=OAKFIELD) is None


# --- the rules for the PWA ----------------------------------------------------------------


def test_each_preset_describes_its_rules_in_words():
    assert SCHOOL.describe() == [
        "Between 8 and 128 characters",
        "A lower-case letter, an upper-case letter, a digit and a symbol (a space counts)",
        "Not a common password",
        "Not containing your email name or the school's name",
    ]
    assert NIST.describe() == [
        "Between 15 and 128 characters",
        "Not a common password",
        "Not containing your email name or the school's name",
    ]
    assert NIST.describe(has_authenticator=True)[0] == "Between 8 and 128 characters"


def test_each_preset_gives_its_length_and_character_rules_as_json():
    assert json.loads(json.dumps(SCHOOL.as_dict())) == {
        "preset": "school",
        "min_length": 8,
        "max_length": 128,
        "requires": ["lower", "upper", "digit", "symbol"],
    }
    assert NIST.as_dict() == {"preset": "nist", "min_length": 15, "max_length": 128, "requires": []}
    assert NIST.as_dict(has_authenticator=True)["min_length"] == 8


# --- properties ---------------------------------------------------------------------------

policies = st.sampled_from([(SCHOOL, False), (SCHOOL, True), (NIST, False), (NIST, True)])
digits_and_symbols = st.text(alphabet=string.digits + string.punctuation + " ", max_size=4)


@modest
@given(policies, st.text(min_size=129, max_size=400))
def test_any_password_over_128_characters_is_refused_as_too_long_and_nothing_else(
    policy_and_authenticator, password
):
    policy, has_authenticator = policy_and_authenticator
    assert codes(policy, password, has_authenticator=has_authenticator) == ["PASSWORD_TOO_LONG"]


@modest
@given(
    policies,
    st.sampled_from(sorted(common_passwords())),
    st.sampled_from([str.lower, str.upper, str.capitalize, str.title, str.swapcase]),
)
def test_any_listed_password_is_refused_in_any_case(policy_and_authenticator, listed, case):
    policy, has_authenticator = policy_and_authenticator
    assert "PASSWORD_TOO_COMMON" in codes(policy, case(listed), has_authenticator=has_authenticator)


@modest
@given(
    st.sampled_from(
        sorted(p for p in common_passwords() if len(p) >= 4 and p[0].isalpha() and p[-1].isalpha())
    ),
    digits_and_symbols,
    digits_and_symbols,
)
def test_any_listed_word_with_digits_and_symbols_around_it_is_refused(word, before, after):
    assert "PASSWORD_TOO_COMMON" in codes(SCHOOL, before + word.capitalize() + after)


@modest
@given(
    st.text(
        alphabet=st.characters(categories=["Lu", "Ll", "Lo"]), min_size=15, max_size=128
    ).filter(
        # As the policy sees it: in NFKC form, where "Ĳ" is two letters.
        lambda password: (
            15 <= len(normal := unicodedata.normalize("NFKC", password)) <= 128
            and len(set(normal)) > 1
            and normal.casefold() not in common_passwords()
            and not any(name in normal.casefold() for name in ("alice", "oakfield", "academy"))
        )
    )
)
def test_any_15_to_128_letters_not_listed_or_repeated_and_without_the_names_pass_nist(password):
    assert codes(NIST, password) == []


@modest
@given(policies, st.text(max_size=140), st.text(max_size=40), st.text(max_size=40))
def test_check_never_fails_and_speaks_only_in_known_codes(
    policy_and_authenticator, password, email, school_name
):
    policy, has_authenticator = policy_and_authenticator
    found = codes(
        policy, password, email=email, school_name=school_name, has_authenticator=has_authenticator
    )
    assert set(found) <= CODES
    assert len(found) == len(set(found))
    if found:
        with pytest.raises(PasswordRejected) as refusal:
            policy.enforce(
                password, email=email, school_name=school_name, has_authenticator=has_authenticator
            )
        assert refusal.value.code == found[0]
    else:
        policy.enforce(
            password, email=email, school_name=school_name, has_authenticator=has_authenticator
        )


@modest
@given(st.text(max_size=140))
def test_too_short_means_fewer_code_points_than_the_minimum(password):
    for policy, has_authenticator in [(SCHOOL, False), (NIST, False), (NIST, True)]:
        found = codes(policy, password, has_authenticator=has_authenticator)
        minimum = policy.minimum_length(has_authenticator=has_authenticator)
        length = len(unicodedata.normalize("NFKC", password))
        too_short = length < minimum
        assert ("PASSWORD_TOO_SHORT" in found) == (too_short and length <= 128)


@modest
@given(st.text(max_size=140), st.text(max_size=40), st.text(max_size=40))
def test_what_nist_with_an_authenticator_refuses_the_school_preset_refuses_too(
    password, email, school_name
):
    """So a password the school preset accepts is accepted under nist with an
    authenticator; and an authenticator only ever removes refusals under nist."""
    names = {"email": email, "school_name": school_name}
    school = set(codes(SCHOOL, password, **names))
    nist_with_authenticator = set(codes(NIST, password, has_authenticator=True, **names))
    nist = set(codes(NIST, password, **names))
    assert nist_with_authenticator <= school
    assert nist_with_authenticator <= nist


@modest
@given(
    st.text(alphabet=string.ascii_letters, min_size=3, max_size=20),
    st.text(max_size=50),
    st.text(max_size=50),
)
def test_any_email_name_of_3_or_more_letters_is_refused_in_any_case(name, before, after):
    password = before + name.swapcase() + after
    found = codes(NIST, password, email=f"{name}@oakfield.example")
    assert "PASSWORD_CONTAINS_EMAIL" in found


@modest
@given(
    st.lists(
        st.text(alphabet=string.ascii_letters, min_size=1, max_size=12), min_size=1, max_size=4
    ),
    st.text(max_size=40),
    st.text(max_size=40),
)
def test_any_school_name_is_refused_in_any_case_whole_or_without_spaces(words, before, after):
    school_name = " ".join(words)
    for written in (school_name, school_name.replace(" ", "")):
        if len(written) >= 3:
            found = codes(NIST, before + written.upper() + after, school_name=school_name)
            assert "PASSWORD_CONTAINS_SCHOOL" in found
