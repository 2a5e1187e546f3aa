import pytest

from annuaire.identifiants import erreur_finess, erreur_rpps, erreur_siret, luhn_valide


def _avec_cle(debut: str) -> str:
    return next(debut + str(c) for c in range(10) if luhn_valide(debut + str(c)))


def test_luhn():
    assert luhn_valide("79927398713")
    assert not luhn_valide("79927398710")
    assert not luhn_valide("")
    assert not luhn_valide("12a4")


@pytest.mark.parametrize(
    "verifier,debut,longueur",
    [(erreur_rpps, "1000000000", 11), (erreur_finess, "75000001", 9), (erreur_siret, "7328294920001", 14)],
)
def test_cle_juste_et_cle_fausse(verifier, debut, longueur):
    bon = _avec_cle(debut)
    assert len(bon) == longueur and verifier(bon) is None
    faux = bon[:-1] + str((int(bon[-1]) + 1) % 10)
    assert "clé de contrôle" in verifier(faux)


def test_formes_refusees_avec_un_message_clair():
    assert erreur_rpps("1234") == "Le numéro RPPS compte 11 chiffres."
    assert "9 caractères" in erreur_finess("75A000001")
    assert erreur_finess("2A0000001") is None  # Corsica: the shape only
    assert erreur_siret("356000000" + "00010") is None  # La Poste: digit sum modulo 5
