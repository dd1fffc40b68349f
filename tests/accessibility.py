"""Accessibility checks for browser tests: axe-core, restricted to WCAG 2.1 level A and AA."""

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_axe = Axe()


def axe_violations(page, *, context: str | None = None) -> list[dict]:
    """Run axe-core on the page (or on the elements matching the CSS selector ``context``)."""
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA_TAGS}, "resultTypes": ["violations"]}
    results = _axe.run(page, context=context, options=options)
    return results.response["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = ", ".join(str(part) for part in node.get("target", []))
            lines.append(f"    at {target}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
    return "\n".join(lines)


def assert_no_axe_violations(page, *, context: str | None = None) -> None:
    """Fail with a readable list when axe finds WCAG 2.1 A/AA violations on the page."""
    violations = axe_violations(page, context=context)
    if violations:
        raise AssertionError(
            f"{len(violations)} WCAG 2.1 A/AA violation(s) on {page.url}:\n{format_violations(violations)}"
        )
