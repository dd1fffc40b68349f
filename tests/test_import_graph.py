"""The allowed imports between the apps (docs/DESIGN.md, "Who may import whom"), checked over the source.

Every ``import`` and ``from … import`` is read, including those inside functions, so an import hidden in a function
body is caught too.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

#: app -> the apps it may import. Dependencies point one way:
#: core <- agenda <- delegates <- committees, elections <- plenary.
#: ks_landsting only wires settings, URLs and the Celery app, so it may name every app.
ALLOWED = {
    "core": set(),
    "agenda": {"core"},
    "delegates": {"core", "agenda"},
    "committees": {"core", "agenda", "delegates"},
    "elections": {"core", "agenda", "delegates"},
    "plenary": {"core", "agenda", "delegates", "committees", "elections"},
    "county_meetings": {"core", "agenda", "delegates", "committees", "elections"},
    "surveys": {"core", "agenda", "delegates"},
    "ks_landsting": {"core", "agenda", "delegates", "committees", "elections", "plenary", "county_meetings", "surveys"},
}
APPS = set(ALLOWED)

#: An app's interfaces (pages, URLs, tasks, forms) are its own: another app uses its models, selectors and services.
PRIVATE_MODULES = ("views", "staff_views", "staff_urls", "urls", "tasks", "forms", "admin")
#: The exceptions: the apps add the inline of their own congress settings to the congress's admin page, and core's
#: form helper (a service's errors onto a form) is there for every app's forms.
ALLOWED_PRIVATE = {"agenda.admin", "core.forms"}


def imported_modules(source: str) -> list[tuple[int, list[str]]]:
    """(line, the modules one import statement may load) for every absolute import in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, [alias.name]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from delegates import tasks`` loads the module delegates.tasks
            found.append((node.lineno, [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]))
    return found


def _private(module: str) -> bool:
    return module.split(".")[-1] in PRIVATE_MODULES and module not in ALLOWED_PRIVATE


def violations(root: pathlib.Path, allowed: dict[str, set[str]] = ALLOWED) -> list[str]:
    problems = []
    for app, may_import in allowed.items():
        for path in sorted((root / app).rglob("*.py")):
            for line, modules in imported_modules(path.read_text(encoding="utf-8")):
                target = modules[0].split(".")[0]
                if target not in allowed or target == app:
                    continue
                where = f"{path.relative_to(root)}:{line}"
                if target not in may_import:
                    problems.append(f"{where}: {app} may not import {target} ({modules[0]})")
                elif app != "ks_landsting" and (private := next(filter(_private, modules), None)):
                    problems.append(f"{where}: {private} is an interface of {target}, not for other apps")
    return problems


def test_no_app_imports_one_it_may_not():
    assert violations(ROOT) == []


def test_every_app_is_in_the_table():
    packages = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert packages <= APPS, f"add {sorted(packages - APPS)} to ALLOWED here and to docs/DESIGN.md"


@pytest.mark.parametrize(
    ("app", "source", "problem"),
    [
        ("core", "from agenda.selectors import congress_current\n", "core may not import agenda"),
        ("agenda", "def f():\n    from delegates.models import Participant\n", "agenda may not import delegates"),
        ("delegates", "import committees.models\n", "delegates may not import committees"),
        ("committees", "from elections import services\n", "committees may not import elections"),
        ("elections", "from committees.models import Amendment\n", "elections may not import committees"),
        ("delegates", "from ks_landsting import urls\n", "delegates may not import ks_landsting"),
        (
            "committees",
            "from delegates.portal.views import home\n",
            "delegates.portal.views is an interface of delegates",
        ),
        ("elections", "from delegates import tasks\n", "delegates.tasks is an interface of delegates"),
    ],
)
def test_the_check_catches_a_forbidden_import(tmp_path, app, source, problem):
    for name in ALLOWED:
        (tmp_path / name).mkdir()
    (tmp_path / app / "module.py").write_text(source)

    found = violations(tmp_path)

    assert len(found) == 1
    assert problem in found[0]
    assert found[0].startswith(f"{app}/module.py:")


def test_allowed_imports_pass(tmp_path):
    for name in ALLOWED:
        (tmp_path / name).mkdir()
    (tmp_path / "elections" / "module.py").write_text(
        "from delegates.selectors import invited_events\nfrom delegates.services.links import LinkProblem\n"
        "from agenda.models import Congress\nfrom core.pdf import render_pdf\n"
    )
    (tmp_path / "committees" / "admin.py").write_text("from agenda.admin import CongressAdmin\n")

    assert violations(tmp_path) == []
