"""axe-core's WCAG 2.1 A/AA rules run in a Playwright page, with the violations written so a failing assert says
what is wrong and where.

axe-core comes from the npm registry (`make install-test`, the version pinned in the Makefile) into `.run/axe/`.
Our CSP forbids inline and injected scripts, so the file's source is run through `page.evaluate` (DevTools
evaluation is not subject to the page's CSP) rather than added as a <script> tag.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from hygate_app.config import ROOT

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    version = re.search(r"^AXE_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert version, "the Makefile pins AXE_VERSION"
    path = Path(ROOT, ".run", "axe", version[1], "node_modules", "axe-core", "axe.min.js")
    assert path.is_file(), f"{path} is missing: run `make install-test` (it installs axe-core from npm)"
    return path.read_text()


def violations(page, selector: str | None = None) -> list[dict]:
    """axe's violations of the WCAG 2.1 A and AA rules on the page as it is now (or within `selector`)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {axe_source()}\n;window.axe = axe; }}")
    return page.evaluate(
        """async ([context, tags]) => {
            const result = await window.axe.run(context || document,
                {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.map(String), summary: n.failureSummary || ""})),
            }));
        }""",
        [selector, TAGS],
    )


def describe(found: list[dict]) -> str:
    """One block per rule: id, impact and help, then each element's selector and axe's summary of why."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {' > '.join(node['target'])}: {summary}")
    return "\n".join(lines)


def assert_accessible(page, selector: str | None = None) -> None:
    found = violations(page, selector)
    assert not found, f"axe found {len(found)} WCAG 2.1 AA violation(s) on {page.url}:\n{describe(found)}"
