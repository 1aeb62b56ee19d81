"""The browser check must fail on deliberately broken sites and pass on a good one.

Run with: python3 -m pytest Tests/Browser -q
Needs Chromium; without it these tests are skipped, unless CI is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import browser_check  # noqa: E402

if browser_check.find_chromium() is None and not os.environ.get("CI"):
    pytest.skip("browser check skipped: no chromium found", allow_module_level=True)


def page(body: str, title: str = "Fixture", head: str = "") -> str:
    return (
        '<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n'
        '<head>\n<meta charset="utf-8"/>\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
        f'<title>{title}</title>\n'
        '<style>body { margin: 0; padding: 8px; font: 16px sans-serif; } '
        '.table-scroll { overflow-x: auto; max-width: 100%; }</style>\n'
        f'{head}</head>\n<body>\n{body}\n</body>\n</html>\n'
    )


GOOD_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" style="max-width: 300px" '
    'role="img" aria-label="Two bars"><g class="figure-cells">'
    '<g><rect x="5" y="5" width="40" height="40" fill="#3f007d"/></g>'
    '<g><rect x="55" y="20" width="40" height="25" fill="#9e9ac8"/></g>'
    '</g></svg>'
)

WIDE_TABLE = (
    '<table><tr>' + ''.join(f'<td>column&#160;number&#160;{i}</td>' for i in range(6)) + '</tr></table>'
)


def write_site(root: Path, pages: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def good_pages() -> dict[str, str]:
    return {
        "index.html": page(
            '<h1 id="top">Good</h1>\n'
            '<p>See <a href="other.html#part">the other page</a>, '
            '<a href="#fig">the figure</a> and <a href="https://example.org/">elsewhere</a>.</p>\n'
            f'<figure id="fig">{GOOD_SVG}</figure>\n'
            f'<div class="table-scroll">{WIDE_TABLE}</div>'
        ),
        "other.html": page('<h1>Other</h1>\n<p id="part">Back to <a href="index.html#top">the start</a>.</p>'),
    }


def run_checker(site: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    shots = tmp_path / "shots"
    result = subprocess.run(
        [sys.executable, str(HERE / "browser_check.py"), str(site), "--screenshots", str(shots), *extra],
        capture_output=True, text=True, timeout=120,
    )
    print(result.stdout)
    print(result.stderr)
    return result


def last_line(result: subprocess.CompletedProcess) -> str:
    return result.stdout.strip().splitlines()[-1]


def test_good_site_passes(tmp_path):
    site = write_site(tmp_path / "site", good_pages())
    result = run_checker(site, tmp_path)
    assert result.returncode == 0, result.stdout
    assert last_line(result) == "4 passed, 0 failed"
    shots = sorted(p.name for p in (tmp_path / "shots").glob("*.png"))
    assert shots == ["index-1280.png", "index-390.png", "other-1280.png", "other-390.png"]
    assert all((tmp_path / "shots" / name).stat().st_size > 1000 for name in shots)


def check_broken(tmp_path, body: str, expected: str, head: str = "", fails_at=("1280", "390")):
    pages = good_pages()
    pages["broken.html"] = page(body, head=head)
    site = write_site(tmp_path / "site", pages)
    result = run_checker(site, tmp_path)
    assert result.returncode == 1, result.stdout
    failing = [line.split(" (")[0] for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert sorted(failing) == sorted(f"FAIL broken.html @ {w}x{'800' if w == '1280' else '844'}"
                                     for w in fails_at), result.stdout
    assert expected in result.stdout
    total = 3 * 2
    assert last_line(result) == f"{total - len(fails_at)} passed, {len(fails_at)} failed"


def test_wide_table_outside_scroll_box_fails_at_phone_width(tmp_path):
    check_broken(tmp_path, f"<h1>Wide</h1>\n{WIDE_TABLE}", "horizontal overflow", fails_at=("390",))


def test_current_stage_scrolled_out_of_view_fails_at_phone_width(tmp_path):
    # Today's old phone layout: the chips scroll sideways and stage 9 starts off screen.
    current = ' aria-current="page"'
    chips = "".join(f'<li><a href="index.html"{current if i == 9 else ""}>Stage&#160;{i}</a></li>'
                    for i in range(14))
    nav = ('<nav class="stage-map"><ol style="display: flex; overflow-x: auto; list-style: none; padding: 0;'
           ' white-space: nowrap; gap: 8px">' + chips + '</ol></nav>')
    check_broken(tmp_path, nav, "outside the visible", fails_at=("390",))


def test_two_shown_current_stages_fail(tmp_path):
    nav = ('<nav class="stage-map"><a href="index.html" aria-current="page">1</a> '
           '<a href="other.html" aria-current="page">2</a></nav>')
    check_broken(tmp_path, nav, 'carry aria-current="page", 2 of them shown')


def test_console_error_fails(tmp_path):
    check_broken(tmp_path, "<h1>Noisy</h1>\n<script>console.error('deliberate failure');</script>",
                 "console.error: deliberate failure")


def test_uncaught_exception_fails(tmp_path):
    check_broken(tmp_path, "<h1>Throws</h1>\n<script>throw new Error('deliberate throw');</script>",
                 "uncaught exception")


def test_dead_internal_link_fails(tmp_path):
    check_broken(tmp_path, '<h1>Dead</h1>\n<p><a href="missing.html">gone</a></p>',
                 "dead link 'missing.html'")


def test_dead_fragment_fails(tmp_path):
    check_broken(tmp_path, '<h1>Dead</h1>\n<p><a href="other.html#nowhere">gone</a></p>',
                 "no element with id 'nowhere'")


def test_broken_image_fails(tmp_path):
    check_broken(tmp_path, '<h1>Image</h1>\n<p><img src="no-such-image.png" alt="missing"/></p>',
                 "failed to load resource")


def test_zero_size_svg_fails(tmp_path):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0" viewBox="0 0 10 10">'
           '<g><rect width="10" height="10"/></g></svg>')
    check_broken(tmp_path, f"<h1>Empty figure</h1>\n<figure>{svg}</figure>", "zero-size box")


def test_rect_outside_svg_fails(tmp_path):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50" '
           'overflow="visible"><g class="figure-cells"><rect x="80" y="10" width="60" height="20"/></g></svg>')
    check_broken(tmp_path, f"<h1>Spilling bar</h1>\n<figure>{svg}</figure>", "outside the svg box")


def test_content_added_by_javascript_fails(tmp_path):
    script = ("<script>document.getElementById('late').textContent = 'only with JavaScript';"
              "document.getElementById('late').appendChild("
              "document.createElementNS('http://www.w3.org/2000/svg', 'svg'));</script>")
    check_broken(tmp_path, f'<h1>Scripted</h1>\n<p id="late"></p>\n{script}', "without JavaScript")


def test_page_over_its_height_budget_fails_at_desktop_width(tmp_path):
    pages = good_pages()
    pages["tall.html"] = page('<h1>Tall</h1>\n<div style="height: 3000px"></div>')
    site = write_site(tmp_path / "site", pages)
    result = run_checker(site, tmp_path, "--max-height", "tall.html=2000", "--max-height", "index.html=2000")
    assert result.returncode == 1, result.stdout
    failing = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert [line.split(" (")[0] for line in failing] == ["FAIL tall.html @ 1280x800"], result.stdout
    assert "budget 2000px" in failing[0]
    assert "its budget is 2000px" in result.stdout
    assert last_line(result) == "5 passed, 1 failed"  # index.html is within its budget; 390 px has none


def test_height_budget_for_a_missing_page_is_an_error(tmp_path):
    site = write_site(tmp_path / "site", good_pages())
    result = run_checker(site, tmp_path, "--max-height", "nope.html=100")
    assert result.returncode == 2
    assert "nope.html" in result.stderr


def test_missing_site_folder_is_an_error(tmp_path):
    result = subprocess.run([sys.executable, str(HERE / "browser_check.py"), str(tmp_path / "nope")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2


def test_no_chromium_skips_unless_ci(tmp_path):
    site = write_site(tmp_path / "site", good_pages())
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "CHROMIUM", "CHROME_BIN")}
    env["PATH"] = str(tmp_path / "empty-bin")
    cmd = [sys.executable, str(HERE / "browser_check.py"), str(site)]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0
    assert "browser check skipped: no chromium found" in result.stdout
    env["CI"] = "true"
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "browser check skipped: no chromium found" in result.stdout
