"""axe-core's ``landmark-unique`` (a best practice, outside the WCAG tags of ``tests.accessibility``): two landmarks
of the same kind must not share a name, or a screen reader's list of landmarks offers two alike."""

from axe_playwright_python.sync_playwright import Axe

from tests.accessibility import format_violations

_axe = Axe()


def assert_landmarks_unique(page) -> None:
    results = _axe.run(page, options={"runOnly": {"type": "rule", "values": ["landmark-unique"]}})
    violations = results.response["violations"]
    assert not violations, f"landmarks alike on {page.url}:\n{format_violations(violations)}"
