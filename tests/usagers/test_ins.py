"""The INS key, against the published examples and an independent implementation (property test)."""

from __future__ import annotations

import random

import pytest

from usagers.ins import cle_matricule, matricule_valide


@pytest.mark.parametrize(
    "matricule",
    ["295109912611193", "253072B07300470", "284052A32102552", "2 95 10 99 126 111 93", "253072b07300470"],
)
def test_published_valid_examples(matricule):
    assert matricule_valide(matricule)


@pytest.mark.parametrize(
    "matricule",
    [
        "295109912611199",
        "29510991261119",
        "2951099126111933",
        "",
        "295109912611A93",
        "953072B07300470",
        "2530725C07300470"[:15],
    ],
)
def test_invalid_examples(matricule):
    assert not matricule_valide(matricule)


def test_key_of_published_examples():
    assert cle_matricule("2951099126111") == "93"
    assert cle_matricule("253072B073004") == "70"
    assert cle_matricule("284052A321025") == "52"


def _reference_key(debut13: str) -> int:
    """Independent implementation: Corsica letters replaced arithmetically, as INSEE describes it
    (2A → subtract 1 000 000 from the number read with 2A as 20; 2B → subtract 2 000 000)."""
    if "A" in debut13 or "B" in debut13:
        base = int(debut13.replace("A", "0").replace("B", "0"))
        base -= 1_000_000 if "A" in debut13 else 2_000_000
    else:
        base = int(debut13)
    return 97 - base % 97


def test_property_agrees_with_an_independent_implementation():
    rng = random.Random(20261122)
    for _ in range(20_000):
        dept = rng.choice(["75", "13", "2A", "2B", "99", "97", "01"])
        debut = f"{rng.choice('12378')}{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}{dept}{rng.randint(0, 999999):06d}"
        cle = _reference_key(debut)
        assert cle_matricule(debut) == f"{cle:02d}"
        assert matricule_valide(f"{debut}{cle:02d}")
        autre = (cle % 97) + 1 if cle != 97 else 1
        assert not matricule_valide(f"{debut}{autre:02d}")
