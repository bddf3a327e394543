"""The password policy: which passwords a school's staff may choose, and why one is refused.

Each school chooses one of two presets (its `password_policy` setting):

- `school`, the default: at least 8 characters with a lower-case letter, an upper-case
  letter, a digit and a symbol, as school policies commonly require;
- `nist`, after NIST SP 800-63B: at least 15 characters, or 8 for someone who has an
  authenticator, and no composition rules.

Under both, a password has at most 128 characters, is not a common password and does not
contain the user's email name or the school's name. A password is examined as typed:
nothing is trimmed or truncated; it is only put in Unicode's NFKC form, as it is before
hashing, and its length is counted in code points, as NIST says. The policy never logs, stores or repeats a password, nor any
part of one, in a message.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

from haven.errors import APIError, HavenError

MAX_LENGTH = 128
DEFAULT_PRESET = "school"
# Shorter stems, names and words would refuse too many good passwords ("Ann" is in
# "Joanna", "Lee" in "Fleet").
_SHORTEST_LISTED_STEM = 4
_SHORTEST_NAME = 3
_SHORTEST_WORD_OF_A_NAME = 4
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class PolicyProblem:
    """A rule that a password breaks: a machine code and a message for the person."""

    code: str
    message: str


class PasswordRejected(APIError):
    """400 with the code of the first rule broken and a message naming every one."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        super().__init__(400, problems[0].code, " ".join(p.message for p in problems))
        self.problems = problems


TOO_COMMON = PolicyProblem(
    "PASSWORD_TOO_COMMON", "This password is on a list of common passwords: choose another."
)
COMMON_WITH_ADDITIONS = PolicyProblem(
    "PASSWORD_TOO_COMMON",
    "This password is a common password with digits or symbols added: choose another.",
)
ONE_CHARACTER_REPEATED = PolicyProblem(
    "PASSWORD_TOO_COMMON", "One character repeated is too easy to guess: choose another."
)
CONTAINS_EMAIL = PolicyProblem(
    "PASSWORD_CONTAINS_EMAIL", "Leave your email name out of the password."
)
CONTAINS_SCHOOL = PolicyProblem(
    "PASSWORD_CONTAINS_SCHOOL", "Leave the school's name, and each word of it, out of the password."
)


def _is_symbol(character: str) -> bool:
    # Anything that is neither a letter nor a digit, in any script: punctuation, emoji and
    # the space, which OWASP's list of special characters includes.
    return not character.isalpha() and not character.isdecimal()


@dataclass(frozen=True)
class _CharacterClass:
    test: Callable[[str], bool]
    in_words: str
    problem: PolicyProblem


# Letters of every script count: "Æ" is upper case and "ø" lower case, as for anyone
# typing on a Danish keyboard.
_CHARACTER_CLASSES = {
    "lower": _CharacterClass(
        str.islower,
        "a lower-case letter",
        PolicyProblem("PASSWORD_NEEDS_LOWER", "Include a lower-case letter."),
    ),
    "upper": _CharacterClass(
        str.isupper,
        "an upper-case letter",
        PolicyProblem("PASSWORD_NEEDS_UPPER", "Include an upper-case letter."),
    ),
    "digit": _CharacterClass(
        str.isdecimal,
        "a digit",
        PolicyProblem("PASSWORD_NEEDS_DIGIT", "Include a digit."),
    ),
    "symbol": _CharacterClass(
        _is_symbol,
        "a symbol (a space counts)",
        PolicyProblem("PASSWORD_NEEDS_SYMBOL", "Include a symbol, such as ! or # or a space."),
    ),
}

CODES = frozenset(
    {
        "PASSWORD_TOO_SHORT",
        "PASSWORD_TOO_LONG",
        *(character_class.problem.code for character_class in _CHARACTER_CLASSES.values()),
        TOO_COMMON.code,
        CONTAINS_EMAIL.code,
        CONTAINS_SCHOOL.code,
    }
)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The list that ships with Haven (scripts/make_common_passwords.py), lower case."""
    text = resources.files("haven.accounts").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _strip_digits_and_symbols(text: str) -> str:
    start, end = 0, len(text)
    while start < end and not text[start].isalpha():
        start += 1
    while end > start and not text[end - 1].isalpha():
        end -= 1
    return text[start:end]


def _commonness(password: str) -> PolicyProblem | None:
    folded = password.casefold()
    common = common_passwords()
    if folded in common:
        return TOO_COMMON
    # Composition rules lead people from "password" to "Password1!" and "!Monkey2024".
    # Cracking tools try exactly that (a listed word, any capitals, digits and symbols
    # at either end) among their first guesses, so the word inside counts as the
    # password. Passphrases are untouched: the whole stem must be a listed password.
    stem = _strip_digits_and_symbols(folded)
    if len(stem) >= _SHORTEST_LISTED_STEM and stem in common:
        return COMMON_WITH_ADDITIONS
    # NIST's examples of what to refuse include repetitive characters ("aaaaaa"); the
    # ranked list leaves such passwords out, as zxcvbn finds them by other means.
    if len(set(password)) == 1:
        return ONE_CHARACTER_REPEATED
    return None


def _names_in(text: str) -> set[str]:
    """A name, case-folded: whole (with its spaces and without) and each longer word of
    it. The words matter: a password "Oakfield2024!" uses "Oakfield Primary School"."""
    folded = text.strip().casefold()
    wholes = {folded, folded.replace(" ", "")}
    return {name for name in wholes if len(name) >= _SHORTEST_NAME} | {
        word for word in _LETTERS.findall(folded) if len(word) >= _SHORTEST_WORD_OF_A_NAME
    }


def _contains_any(folded_password: str, names: set[str]) -> bool:
    return any(name in folded_password for name in names)


@dataclass(frozen=True)
class PasswordPolicy:
    preset: str
    min_length: int
    min_length_with_authenticator: int
    # Names from _CHARACTER_CLASSES, each of which must appear at least once.
    requires: tuple[str, ...] = ()
    max_length: int = MAX_LENGTH

    def __post_init__(self) -> None:
        unknown = set(self.requires) - set(_CHARACTER_CLASSES)
        if unknown:
            raise ValueError(f"Unknown character classes: {sorted(unknown)}")

    @classmethod
    def for_school(cls, preset: str) -> PasswordPolicy:
        """The policy for a school's `password_policy` setting. Raises HavenError naming
        the presets when there is no such preset."""
        try:
            return PRESETS[preset]
        except KeyError:
            allowed = ", ".join(PRESETS)
            raise HavenError(f"'{preset}' is not a password policy: use {allowed}.") from None

    def minimum_length(self, *, has_authenticator: bool = False) -> int:
        return self.min_length_with_authenticator if has_authenticator else self.min_length

    def check(
        self, password: str, *, email: str, school_name: str, has_authenticator: bool = False
    ) -> list[PolicyProblem]:
        """Every rule the password breaks, in a fixed order; empty when it is acceptable.

        The password is examined as it will be hashed: in Unicode's NFKC form (see
        passwords.py), so full-width or other look-alike forms of a common password are
        recognised, and nothing else is changed.
        """
        password = unicodedata.normalize("NFKC", password)
        if len(password) > self.max_length:
            # Nothing else is worth saying (or examining, in a megabyte of input): the
            # password has to change whatever else is wrong with it.
            return [
                PolicyProblem("PASSWORD_TOO_LONG", f"Use at most {self.max_length} characters.")
            ]
        problems = []
        minimum = self.minimum_length(has_authenticator=has_authenticator)
        if len(password) < minimum:
            problems.append(
                PolicyProblem("PASSWORD_TOO_SHORT", f"Use at least {minimum} characters.")
            )
        # The rules that say "choose another" come before those that say what to add:
        # "Password1!" is no better than "password".
        if commonness := _commonness(password):
            problems.append(commonness)
        folded = password.casefold()
        if _contains_any(folded, _names_in(email.partition("@")[0])):
            problems.append(CONTAINS_EMAIL)
        if _contains_any(folded, _names_in(school_name)):
            problems.append(CONTAINS_SCHOOL)
        for name in self.requires:
            character_class = _CHARACTER_CLASSES[name]
            if not any(character_class.test(character) for character in password):
                problems.append(character_class.problem)
        return problems

    def enforce(
        self, password: str, *, email: str, school_name: str, has_authenticator: bool = False
    ) -> None:
        """Raises PasswordRejected (an APIError, 400) unless check() finds no problem."""
        problems = self.check(
            password, email=email, school_name=school_name, has_authenticator=has_authenticator
        )
        if problems:
            raise PasswordRejected(problems)

    def describe(self, *, has_authenticator: bool = False) -> list[str]:
        """The rules in words, to show under a password field."""
        minimum = self.minimum_length(has_authenticator=has_authenticator)
        rules = [f"Between {minimum} and {self.max_length} characters"]
        if self.requires:
            wanted = [_CHARACTER_CLASSES[name].in_words for name in self.requires]
            listed = ", ".join(wanted[:-1]) + " and " + wanted[-1] if len(wanted) > 1 else wanted[0]
            rules.append(listed[0].upper() + listed[1:])
        rules.append("Not a common password")
        rules.append("Not containing your email name or the school's name")
        return rules

    def as_dict(self, *, has_authenticator: bool = False) -> dict:
        """The length and character rules, for the PWA to check as the person types."""
        return {
            "preset": self.preset,
            "min_length": self.minimum_length(has_authenticator=has_authenticator),
            "max_length": self.max_length,
            "requires": list(self.requires),
        }


PRESETS: Mapping[str, PasswordPolicy] = MappingProxyType(
    {
        "school": PasswordPolicy(
            "school",
            min_length=8,
            min_length_with_authenticator=8,
            requires=("lower", "upper", "digit", "symbol"),
        ),
        "nist": PasswordPolicy("nist", min_length=15, min_length_with_authenticator=8),
    }
)
