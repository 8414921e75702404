"""axe-core in the browser tests: inject it into a page, run it, and fail with a readable list.

axe-core's script comes from the dev dependency ``axe-playwright-python`` (which ships it), read
from the installed package and evaluated in the page by Playwright (the page's Content Security
Policy does not apply to that). Nothing of it is served to users.
"""

from dataclasses import dataclass
from importlib.resources import files
from typing import Any

# Every axe rule tagged with one of these runs: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and
# axe's own best practices (a header cell with no name, landmarks, headings in order …).
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

_SCRIPT: str | None = None


def axe_script() -> str:
    global _SCRIPT
    if _SCRIPT is None:
        _SCRIPT = files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")
    return _SCRIPT


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    summary: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        where = "\n".join(f"      {target}" for target in self.targets)
        return f"  {self.rule} ({self.impact}): {self.summary}\n{where}"


def axe_violations(page: Any, *, tags: list[str] | None = None) -> list[Violation]:
    """Run axe-core on the page as it is now and return its violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    results = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        tags or RULE_TAGS,
    )
    return [
        Violation(
            rule=violation["id"],
            impact=violation.get("impact") or "",
            summary=violation["help"],
            targets=tuple(
                " ".join(str(part) for part in node["target"]) for node in violation["nodes"]
            ),
        )
        for violation in results["violations"]
    ]


def assert_no_violations(page: Any, *, where: str = "") -> None:
    """Fail with every axe violation on the page: rule id, impact, summary and target selectors."""
    violations = axe_violations(page)
    if violations:
        listed = "\n".join(str(violation) for violation in violations)
        count = sum(len(violation.targets) for violation in violations)
        raise AssertionError(f"axe found {count} violation(s) on {where or page.url}:\n{listed}")
