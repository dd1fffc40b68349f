"""The bottom layers (issue 12, item 4): ``core`` imports none of the domain apps, and no app leans on the project
package ``ks_landsting``, which only wires settings, URLs and Celery. Imports inside functions count too."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("agenda", "delegates", "committees", "elections")


def imports(package: str) -> list[tuple[str, str]]:
    """(file:line, imported module) for every absolute import in ``package``, migrations left out."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            found += [(f"{path.relative_to(ROOT)}:{node.lineno}", module) for module in modules]
    return found


def test_core_imports_no_domain_app():
    offenders = [(where, module) for where, module in imports("core") if module.split(".")[0] in DOMAIN_APPS]

    assert offenders == []


def test_no_app_imports_the_project_package():
    offenders = [
        (where, module)
        for app in ("core", *DOMAIN_APPS)
        for where, module in imports(app)
        if module.split(".")[0] == "ks_landsting"
    ]

    assert offenders == []


def test_the_scan_sees_imports_inside_functions():
    assert ("core/services.py", "core.tasks") in {(where.split(":")[0], module) for where, module in imports("core")}
