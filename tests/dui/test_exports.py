"""Files handed to users (issue 15, item 8): CSV cells never run as formulas, download names are safe."""

from __future__ import annotations

import pytest

from dui.exports import cellule_sure, nom_de_fichier_sur


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        ('=HYPERLINK("http://evil";"clic")', '\'=HYPERLINK("http://evil";"clic")'),
        ("+33 6 12", "'+33 6 12"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Lecture du dossier", "Lecture du dossier"),
        (12, 12),
        ("", ""),
    ],
)
def test_csv_cells_never_start_a_formula(valeur, attendu):
    assert cellule_sure(valeur) == attendu


@pytest.mark.parametrize(
    ("nom", "attendu"),
    [
        ('tddui-o"brien\r\nSet-Cookie: x=1.json', "tddui-o-brien-Set-Cookie-x-1.json"),
        ("../../etc/passwd", "etc-passwd"),
        ("Hélène Lefèvre.pdf", "Helene-Lefevre.pdf"),
        ("", "document"),
    ],
)
def test_download_names_are_safe(nom, attendu):
    assert nom_de_fichier_sur(nom) == attendu


@pytest.mark.django_db
def test_the_journal_export_neutralises_formulas(og_a, client_de, django_capture_on_commit_callbacks):
    from dui.models import ExportJournal, JournalAcces
    from dui.tenancy import tenant_context

    with tenant_context(og_a.organisme.pk):
        JournalAcces.objects.create(
            organisme=og_a.organisme,
            professionnel=og_a["infirmier"],
            type_acces="lecture",
            objet_type="usagers.usager",
            libelle='=HYPERLINK("http://evil.example";"voir")',
        )
    client = client_de(og_a.dpo)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/journal/export/", {}).status_code == 302
    with tenant_context(og_a.organisme.pk):
        export = ExportJournal.objects.get()
    reponse = client.get(f"/journal/export/{export.public_id}/")
    assert reponse.status_code == 200, (export.statut, export.erreur, export.fichier)
    contenu = b"".join(reponse.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in contenu and ";=HYPERLINK" not in contenu
