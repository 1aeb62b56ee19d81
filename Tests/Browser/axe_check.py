#!/usr/bin/env python3
"""WCAG 2 A/AA check of a generated site with axe-core, in light and dark.

    python3 Tests/Browser/axe_check.py SITE_DIR [--width 1280 --width 390]

Opens every *.html page under SITE_DIR from file:// in headless Chromium (the
same DevTools-pipe driver as browser_check.py), at 1280 px and at 390 px (a
phone: mobile device emulation, as browser_check.py does) or the --width
values given, each once with prefers-color-scheme: light and once with dark, injects axe-core and runs it
with the WCAG 2.0, 2.1 and 2.2 A and AA rules (tags wcag2a, wcag2aa, wcag21a,
wcag21aa, wcag22aa). It also checks that every grouped bar chart's legend
tells the truth in that scheme: each series' bars are painted like its legend
swatch, and no two series are painted alike. Prints one line per page and scheme, each violation with
its rule, impact, how many elements and the first elements' selectors, then
"N passed, M failed"; exits 0 when no page has a violation, 1 otherwise.

axe-core's JavaScript comes from a PyPI package that ships it (pinned in
.ci/run): axe-playwright-python, installed with --no-deps (only its axe.min.js
is used). With no Chromium or no axe-core it prints why and exits 0, or 1
when the environment variable CI is set (CI must not skip).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_check import BrowserError, Chromium, find_chromium  # noqa: E402

AXE_PACKAGE = "axe_playwright_python"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCHEMES = ["light", "dark"]
DEFAULT_WIDTHS = [1280, 390]
SHOWN_TARGETS = 3
AXE_TIMEOUT = 180.0  # seconds for one axe run (a big page on a loaded machine)


def axe_source() -> str | None:
    """axe.min.js from the installed package, or None."""
    spec = importlib.util.find_spec(AXE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "axe.min.js"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


def evaluate(browser: Chromium, expression: str):
    result = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                          timeout=AXE_TIMEOUT)
    if "exceptionDetails" in result:
        details = result["exceptionDetails"]
        raise BrowserError(details.get("exception", {}).get("description") or details.get("text"))
    return result["result"].get("value")


def run_axe(browser: Chromium, source: str) -> dict:
    """Injects axe-core into the loaded page and returns its results (violations only)."""
    evaluate(browser, source + "\n;true")
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return evaluate(browser,
        f"axe.run(document, {json.dumps(options)}).then(r => ({{"
        "version: axe.version,"
        "violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        "  targets: v.nodes.map(n => n.target.join(' ')),"
        "  summaries: v.nodes.slice(0, 1).map(n => n.failureSummary)}))}))")


# Each grouped bar chart: the computed fill of every series' bars and legend swatch.
LEGEND_PROBE = r"""
(() => {
  const problems = [];
  for (const svg of document.querySelectorAll('svg.figure-grouped-bars')) {
    const fills = [];
    for (let k = 0; ; k++) {
      const swatch = svg.querySelector(`.figure-legend rect.figure-series-${k}`);
      const bars = [...svg.querySelectorAll(`g.figure-series-${k} rect`)];
      if (!swatch && bars.length === 0) break;
      const key = r => { const s = getComputedStyle(r); return s.fill + ' / ' + s.stroke; };
      if (!swatch) { problems.push(`#${svg.id}: series ${k} has no legend swatch`); continue; }
      const want = key(swatch);
      for (const bar of bars) {
        if (key(bar) !== want) { problems.push(`#${svg.id}: a bar of series ${k} is ${key(bar)}, its legend ${want}`); break; }
      }
      if (fills.includes(want)) problems.push(`#${svg.id}: series ${k} is painted like an earlier series (${want})`);
      fills.push(want);
    }
  }
  return problems;
})()
"""


def describe(violation: dict) -> list[str]:
    targets = violation["targets"]
    shown = ", ".join(targets[:SHOWN_TARGETS]) + (f", … ({len(targets)} in all)" if len(targets) > SHOWN_TARGETS else "")
    lines = [f"{violation['id']} ({violation['impact']}): {violation['help']}; {len(targets)} element(s): {shown}"]
    for summary in violation["summaries"]:
        lines.append("  " + " ".join(summary.split()))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="folder with the generated site")
    parser.add_argument("--width", type=int, action="append", default=None,
                        help="viewport width in CSS px, repeatable; below 600 a phone is emulated (default: 1280 and 390)")
    args = parser.parse_args(argv)
    site: Path = args.site
    if not site.is_dir():
        print(f"axe check: no such folder: {site}", file=sys.stderr)
        return 2
    must = bool(os.environ.get("CI"))
    binary = find_chromium()
    if binary is None:
        print("axe check skipped: no chromium found")
        return 1 if must else 0
    source = axe_source()
    if source is None:
        print(f"axe check skipped: no axe-core (python3 -m pip install --no-deps {AXE_PACKAGE.replace('_', '-')})")
        return 1 if must else 0
    pages = sorted(p for p in site.rglob("*.html") if p.is_file())
    if not pages:
        print(f"axe check: no *.html pages in {site}")
        return 1

    started = time.monotonic()
    passed = failed = 0
    version = "?"
    browser = Chromium(binary)
    try:
        browser.open_page()
        for width in args.width or DEFAULT_WIDTHS:
            phone = width < 600
            browser.emulate(width, 844 if phone else 800, phone)
            for scheme in SCHEMES:
                browser.call("Emulation.setEmulatedMedia",
                             {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
                for page in pages:
                    label = f"{page.relative_to(site).as_posix()} ({scheme}, {width} px)"
                    try:
                        browser.navigate(page.resolve().as_uri())
                        result = run_axe(browser, source)
                        version = result["version"]
                        problems = [line for v in result["violations"] for line in describe(v)]
                        problems += [f"legend: {p}" for p in evaluate(browser, LEGEND_PROBE)]
                    except BrowserError as exc:
                        problems = [f"axe could not run: {exc}"]
                    if problems:
                        failed += 1
                        print(f"FAIL {label}")
                        for line in problems:
                            print(f"     - {line}")
                    else:
                        passed += 1
                        print(f"ok   {label}")
                    sys.stdout.flush()
    finally:
        browser.close()
    print(f"axe-core {version}, WCAG tags {', '.join(WCAG_TAGS)} ({time.monotonic() - started:.1f}s)")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
