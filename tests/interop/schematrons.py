"""The ANS CDA header schematrons, run with an XSLT 2 engine (saxonche) on what the DUI produces:

- CI-SIS « structuration minimale » 2.41 (2023): its XSLT compilation is in ``../shared/refs``;
- the ART-DECOR « StrucMin » schematron of TestContenuCDA 3.0 (2025): compiled here from its ``.sch`` with the
  ISO skeleton shipped beside it (include → abstract expansion → SVRL for XSLT 2), once per test process, in a
  temporary folder that links to its ``include/`` (the value sets it reads by relative path).

A finding is an SVRL ``failed-assert`` or ``successful-report`` whose role is an error (or that has no role:
the 2.41 schematron sets none). Warnings and notes of the ART-DECOR schematron are kept apart."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

REFS = Path(__file__).resolve().parents[3] / "shared" / "refs"
SCH_241 = (
    REFS / "ans-testcontenucda-2.41" / "schematrons" / "profils" / "CI-SIS_StructurationMinimale.compiled.xsl"
)
DOSSIER_30 = REFS / "ans-testcontenucda-3.0" / "schematrons"
SCH_30 = DOSSIER_30 / "profils" / "structurationMinimale" / "ASIP-STRUCT-MIN-StrucMin.sch"
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
# the DLU-EHPAD volet (modèle DLU-DLU 2022.01), compiled by the ANS; it reads its value sets by relative path
SCH_DLU = REFS / "ans-testcontenucda-3.0" / "schematrons" / "CI-SIS_DLU-EHPAD-DLU_2022.01.compiled.xsl"


@dataclass(frozen=True)
class Constat:
    schematron: str
    role: str
    lieu: str
    texte: str

    def __str__(self) -> str:
        return f"[{self.schematron} {self.role}] {self.lieu} : {self.texte[:300]}"


def references_presentes() -> None:
    """Skip (or fail under DUI_REQUIRE_SHARED) when ../shared/refs or saxonche is missing."""
    manque = [str(p) for p in (SCH_241, SCH_30, SCH_DLU) if not p.exists()]
    if manque:
        if os.environ.get("DUI_REQUIRE_SHARED"):
            pytest.fail(f"Schématrons ANS absents de ../shared/refs (DUI_REQUIRE_SHARED=1) : {manque}")
        pytest.skip("schématrons ANS absents (../shared/refs)")
    pytest.importorskip(
        "saxonche", reason="saxonche (moteur XSLT 2) absent : pip install -r requirements/test.txt"
    )


class Schematrons:
    def __init__(self, dossier: Path) -> None:
        from saxonche import PySaxonProcessor

        self.processeur = PySaxonProcessor(license=False)
        xslt = self.processeur.new_xslt30_processor()
        compile_30 = dossier / "strucmin-3.0.xsl"
        (dossier / "include").symlink_to(SCH_30.parent / "include", target_is_directory=True)
        source = str(SCH_30)
        for n, etape in enumerate(
            ("iso_dsdl_include.xsl", "iso_abstract_expand.xsl", "iso_svrl_for_xslt2.xsl")
        ):
            executable = xslt.compile_stylesheet(stylesheet_file=str(DOSSIER_30 / "moteur" / etape))
            sortie = str(compile_30) if n == 2 else str(dossier / f"etape{n}.xml")
            executable.transform_to_file(source_file=source, output_file=sortie)
            source = sortie
        self.executables = {
            "2.41": xslt.compile_stylesheet(stylesheet_file=str(SCH_241)),
            "3.0": xslt.compile_stylesheet(stylesheet_file=str(compile_30)),
        }
        self.volet_dlu = xslt.compile_stylesheet(stylesheet_file=str(SCH_DLU))

    def constats(self, xml: bytes, *, avertissements: bool = False) -> list[Constat]:
        document = self.processeur.parse_xml(xml_text=xml.decode("utf-8"))
        trouves = []
        for nom, executable in self.executables.items():
            svrl = etree.fromstring(executable.transform_to_string(xdm_node=document).encode("utf-8"))
            for assertion in svrl.xpath("//svrl:failed-assert | //svrl:successful-report", namespaces=SVRL):
                role = (assertion.get("role") or "error").lower()
                if role in ("error", "fatal") or avertissements:
                    texte = " ".join("".join(assertion.itertext()).split())
                    trouves.append(Constat(nom, role, assertion.get("location", ""), texte))
        return trouves

    def constats_dlu(self, xml: bytes) -> list[Constat]:
        """The findings of the DLU-EHPAD volet schematron (errors: it sets no role)."""
        document = self.processeur.parse_xml(xml_text=xml.decode("utf-8"))
        svrl = etree.fromstring(self.volet_dlu.transform_to_string(xdm_node=document).encode("utf-8"))
        return [
            Constat(
                "DLU-EHPAD",
                (a.get("role") or "error").lower(),
                a.get("location", ""),
                " ".join("".join(a.itertext()).split()),
            )
            for a in svrl.xpath("//svrl:failed-assert | //svrl:successful-report", namespaces=SVRL)
        ]
