"""The import graph of the product (module-level and function-level imports alike): no cycle, the layers
flow one way (kernel → habilitations → usagers → domain apps → shell), no app imports another's views."""

from __future__ import annotations

from tests.architecture import graphe, regles


def _toutes(regle) -> list[str]:
    connus = graphe.modules()
    return [f"{nom}:{v}" for nom, chemin in connus.items() for v in regle(nom, chemin.read_text(), connus)]


def test_every_product_package_has_a_layer():
    paquets = {p.parent.name for p in graphe.RACINE.glob("*/apps.py")}
    assert paquets == set(graphe.COUCHES), (
        "déclarez la couche de la nouvelle app dans tests/architecture/graphe.py"
    )


def test_the_import_graph_has_no_cycle():
    aretes = graphe.graphe()
    assert len(aretes) > 300  # the graph is read (a parser that finds nothing would pass)
    assert any(imp.dans_fonction for imp in aretes)  # imports inside functions are in it
    assert graphe.cycles(aretes) == []


def test_the_cycle_finder_finds_a_late_import_cycle():
    connus = {"a.services": None, "a.tasks": None}
    aretes = [
        *graphe.imports_du_source("a.services", "def f():\n    from .tasks import t\n", connus),
        *graphe.imports_du_source("a.tasks", "from .services import s\n", connus),
    ]
    assert graphe.cycles(aretes) == [["a.services", "a.tasks"]]
    assert [imp.dans_fonction for imp in aretes] == [True, False]


def test_layers_flow_one_way_and_the_kernel_imports_no_app():
    assert _toutes(regles.couches_respectees) == []
    noyau = {
        imp.cible
        for imp in graphe.graphe()
        if graphe.paquet(imp.source) == "dui" and imp.source not in graphe.CABLAGE
    }
    assert {graphe.paquet(c) for c in noyau} == {"dui"}


def test_layer_rule_examples():
    connus = {"dui.models": None, "usagers.models": None, "soins.models": None, "medicaments.models": None}
    assert regles.couches_respectees("medicaments.x", "from soins.models import Allergie\n", connus) == []
    assert regles.couches_respectees("soins.x", "def f():\n    from medicaments.models import L\n", connus)
    assert regles.couches_respectees("dui.tasks", "from usagers.models import Usager\n", connus)


def test_no_module_imports_another_apps_views():
    assert _toutes(regles.vues_d_une_autre_app) == []


def test_views_rule_examples():
    connus = {"usagers.views": None, "usagers.dossier": None, "soins.views": None}
    assert (
        regles.vues_d_une_autre_app("soins.views", "from usagers.dossier import contexte_dossier\n", connus)
        == []
    )
    assert regles.vues_d_une_autre_app("soins.views", "from usagers.views import contexte_dossier\n", connus)
    assert regles.vues_d_une_autre_app("soins.views", "from usagers import views\n", connus)


def test_services_never_import_tasks():
    assert _toutes(regles.services_importent_des_taches) == []


def test_services_rule_examples():
    connus = {"soins.tasks": None, "soins.services": None, "dui.tasks": None, "dui.queue": None}
    assert (
        regles.services_importent_des_taches(
            "soins.services", "from dui.queue import enqueue_on_commit\n", connus
        )
        == []
    )
    assert regles.services_importent_des_taches(
        "soins.services", "def f():\n    from .tasks import g\n", connus
    )
    assert regles.services_importent_des_taches(
        "soins.services", "from dui.tasks import tenant_kwargs\n", connus
    )
    # a task may call services
    assert regles.services_importent_des_taches("soins.tasks", "from .services import f\n", connus) == []
