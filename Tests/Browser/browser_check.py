#!/usr/bin/env python3
"""End-to-end check of a generated site in headless Chromium.

    python3 Tests/Browser/browser_check.py SITE_DIR [--screenshots DIR] [--max-height PAGE=PX ...]

Opens every *.html page under SITE_DIR from file:// in one headless Chromium
session, at 1280x800 (desktop) and at 390x844 (phone, with mobile device
emulation), and checks on each page and width:

  * no console errors, uncaught exceptions or failed resource loads;
  * no horizontal page overflow (scrollWidth <= innerWidth);
  * the stage map's current stage (its one shown aria-current="page" link) lies
    wholly inside the viewport when the page opens, not scrolled out of a list;
  * every <svg> has a non-zero rendered box, and every rect inside a group of
    a figure (heatmap cell, bar) lies inside its <svg> box (1 px tolerance);
  * with JavaScript disabled the page has the same text and the same number of
    svg elements as with JavaScript on;
  * every internal link lands on an existing file, and on an element with the
    fragment's id when it has a fragment;
  * with --max-height PAGE=PX (repeatable), PAGE is at most PX CSS px tall at
    1280 px wide (the desktop layout's height budget); every page's height at
    1280 px is printed on its line.

A full-height PNG screenshot of every page at both widths goes to the
screenshots folder (default: a new temp folder), which is printed.

Chromium is driven over the DevTools protocol through --remote-debugging-pipe,
with the standard library only (no selenium, no chromedriver, no websocket).

Prints one line per page and width, then "N passed, M failed"; exits 0 when
all pass, 1 otherwise. With no Chromium installed it prints
"browser check skipped: no chromium found" and exits 0, or 1 when the
environment variable CI is set (CI must not skip).
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import hashlib
import html.parser
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

WIDTHS = [
    # name, width, height, mobile
    ("1280", 1280, 800, False),
    ("390", 390, 844, True),
]
LOAD_TIMEOUT = 20.0  # seconds for one page load
COMMAND_TIMEOUT = 30.0  # seconds for one DevTools command
MAX_SHOT_HEIGHT = 16000  # CSS px; Chromium cannot capture much taller images
CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"]
EXTERNAL_SCHEMES = {"http", "https", "mailto", "tel", "ftp", "data", "javascript", "news", "irc"}


class BrowserError(Exception):
    pass


# --------------------------------------------------------------------------
# Chromium over the DevTools pipe
# --------------------------------------------------------------------------


def find_chromium() -> str | None:
    for var in ("CHROMIUM", "CHROME_BIN"):
        path = os.environ.get(var)
        if path and shutil.which(path):
            return shutil.which(path)
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Chromium:
    """One headless Chromium, one page target, spoken to over fds 3 and 4."""

    def __init__(self, binary: str):
        self.profile = tempfile.mkdtemp(prefix="browser-check-profile-")
        self.log = open(os.path.join(self.profile, "chromium.log"), "w+b")
        # Chromium reads commands from fd 3 and writes replies to fd 4.
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        child_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 100)
        child_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 100)
        os.close(to_chrome_r)
        os.close(from_chrome_w)

        def wire_fds() -> None:  # runs in the child, before exec
            os.dup2(child_r, 3)
            os.dup2(child_w, 4)

        args = [
            binary,
            "--headless",
            "--remote-debugging-pipe",
            f"--user-data-dir={self.profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-default-apps",
            "--disable-sync",
            "--mute-audio",
            "--hide-scrollbars",
            "--allow-file-access-from-files",
            "--window-size=1280,800",
            # Chromium refuses to start as root with its sandbox, and many CI
            # containers lack the namespaces it needs; the pages are our own.
            "--no-sandbox",
            "about:blank",
        ]
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            preexec_fn=wire_fds,
            close_fds=False,
        )
        os.close(child_r)
        os.close(child_w)
        self.wfd = to_chrome_w
        self.rfd = from_chrome_r
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []
        self.session: str | None = None
        try:
            self.call("Browser.getVersion", timeout=30, session=False)
        except BrowserError as exc:
            raise BrowserError(f"{exc}\n{self.log_tail()}") from None

    def log_tail(self) -> str:
        try:
            self.log.flush()
            self.log.seek(0)
            return self.log.read().decode("utf-8", "replace")[-2000:]
        except OSError:
            return ""

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.call("Browser.close", timeout=5, session=False)
                except BrowserError:
                    pass
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=5)
        finally:
            for fd in (self.wfd, self.rfd):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.log.close()
            shutil.rmtree(self.profile, ignore_errors=True)

    # -- transport --

    def _send(self, message: dict) -> None:
        data = json.dumps(message).encode() + b"\0"
        while data:
            try:
                n = os.write(self.wfd, data)
            except OSError as exc:
                raise BrowserError(f"chromium went away ({exc})") from None
            data = data[n:]

    def _read_one(self, deadline: float) -> dict | None:
        """One message, or None when the deadline passed."""
        while True:
            end = self.buffer.find(b"\0")
            if end >= 0:
                raw, self.buffer = self.buffer[:end], self.buffer[end + 1:]
                return json.loads(raw)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.rfd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self.rfd, 1 << 20)
            if not chunk:
                raise BrowserError("chromium closed the DevTools pipe (crashed?)")
            self.buffer += chunk

    def call(self, method: str, params: dict | None = None, *, timeout: float = COMMAND_TIMEOUT,
             session: bool = True) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_one(deadline)
            if reply is None:
                raise BrowserError(f"no answer to {method} within {timeout:.0f}s")
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            message = self._read_one(deadline)
            if message is None:
                return
            if "method" in message:
                self.events.append(message)

    def wait_for_event(self, method: str, timeout: float) -> bool:
        if any(e["method"] == method for e in self.events):
            return True
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_one(deadline)
            if message is None:
                return False
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return True

    # -- page --

    def open_page(self) -> None:
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call("Network.setCacheDisabled", {"cacheDisabled": True})

    def emulate(self, width: int, height: int, mobile: bool) -> None:
        self.call("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile,
            "screenWidth": width, "screenHeight": height,
        })
        self.call("Emulation.setTouchEmulationEnabled", {"enabled": mobile, "maxTouchPoints": 5 if mobile else 1})

    def set_javascript(self, enabled: bool) -> None:
        self.call("Emulation.setScriptExecutionDisabled", {"value": not enabled})

    def navigate(self, url: str) -> list[dict]:
        """Load url; return the events seen during the load. Raises on failure."""
        self.pump(0)
        self.events = []
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"navigation failed: {result['errorText']}")
        if not self.wait_for_event("Page.loadEventFired", LOAD_TIMEOUT):
            raise BrowserError(f"page did not finish loading within {LOAD_TIMEOUT:.0f}s")
        # Give late messages (errors logged right after load) a moment to arrive.
        self.pump(0.01)
        return self.events

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", {
            "expression": expression, "returnByValue": True, "awaitPromise": True,
        })
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"evaluation failed: {text}")
        return result["result"].get("value")

    def screenshot(self, path: Path, width: int) -> None:
        metrics = self.call("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics.get("contentSize")
        height = max(1, min(int(size["height"] + 0.999), MAX_SHOT_HEIGHT))
        shot_width = max(width, int(size["width"] + 0.999))
        shot = self.call("Page.captureScreenshot", {
            "format": "png",
            "captureBeyondViewport": True,
            "optimizeForSpeed": True,
            "clip": {"x": 0, "y": 0, "width": shot_width, "height": height, "scale": 1},
        }, timeout=60)
        path.write_bytes(base64.b64decode(shot["data"]))


# --------------------------------------------------------------------------
# What is measured in the page
# --------------------------------------------------------------------------

# The page's text as the reader sees it, without the tables' "scroll →" caption cue: the
# browser adds that from its scroll-state snapshot, which it takes a frame or so after load,
# so whether it is there when the probe runs depends on the machine's load, not on JavaScript.
PAGE_TEXT = r"""(() => {
    if (!document.body) return '';
    const quiet = document.createElement('style');
    quiet.textContent = 'caption::after { content: none !important; }';
    document.head.appendChild(quiet);
    const text = document.body.innerText;
    quiet.remove();
    return text;
  })()"""

PAGE_PROBE = r"""
(() => {
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const cls = el.getAttribute('class');
    if (cls) s += '.' + cls.trim().split(/\s+/).slice(0, 3).join('.');
    return s;
  };
  // With mobile emulation an overflowing page is zoomed out to fit, which makes
  // innerWidth grow with the content: take the narrowest measure of the viewport.
  const vw = Math.min(window.innerWidth, document.documentElement.clientWidth, EMULATED_WIDTH);
  const scroller = document.scrollingElement || document.documentElement;
  const scrollWidth = scroller.scrollWidth;
  const overflowers = [];
  if (scrollWidth > vw) {
    const clipped = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    // Boxes that stick out of the viewport, and boxes whose content (a long
    // unbreakable word, say) spills out of them past the viewport's edge.
    const boxOut = new Set(), spills = new Set();
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || clipped(el)) continue;
      if (r.right > vw + 1) boxOut.add(el);
      else if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 &&
               getComputedStyle(el).overflowX === 'visible' &&
               r.left + el.scrollWidth > vw + 1) spills.add(el);
    }
    for (const el of boxOut) {  // outermost boxes only
      if (!boxOut.has(el.parentElement)) {
        overflowers.push(describe(el) + ' is ' + Math.round(el.getBoundingClientRect().width) +
          'px wide, right edge at ' + Math.round(el.getBoundingClientRect().right) + 'px');
      }
    }
    for (const el of spills) {  // innermost spilling boxes only
      if (![...el.children].some((c) => spills.has(c) || boxOut.has(c))) {
        overflowers.push(describe(el) + ' content spills to ' +
          Math.round(el.getBoundingClientRect().left + el.scrollWidth) + 'px: "' +
          (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60) + '"');
      }
    }
    overflowers.splice(6);
  }
  const svgProblems = [];
  const svgs = Array.from(document.querySelectorAll('svg'));
  svgs.forEach((svg, i) => {
    const name = 'svg ' + (i + 1) + (svg.id ? '#' + svg.id : '') +
      (svg.getAttribute('class') ? ' (' + svg.getAttribute('class') + ')' : '');
    const box = svg.getBoundingClientRect();
    if (!(box.width > 0 && box.height > 0)) {
      svgProblems.push(name + ' has a zero-size box (' + box.width + 'x' + box.height + ')');
      return;
    }
    if (svg.parentElement && svg.parentElement.closest('svg')) return; // nested: checked by its outer svg
    let outside = 0, first = '';
    for (const rect of svg.querySelectorAll('g rect')) {
      if (rect.closest('defs, pattern, clipPath, mask, marker, symbol')) continue;
      const r = rect.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < box.left - 1 || r.top < box.top - 1 || r.right > box.right + 1 || r.bottom > box.bottom + 1) {
        outside += 1;
        if (!first) first = 'rect at ' + [r.left, r.top, r.right, r.bottom].map(Math.round).join(',') +
          ' vs svg box ' + [box.left, box.top, box.right, box.bottom].map(Math.round).join(',');
      }
    }
    if (outside) svgProblems.push(name + ': ' + outside + ' rect(s) outside the svg box, e.g. ' + first);
  });
  // The stage map's current stage (aria-current="page"), where the reader sees it: a box
  // of its own, wholly inside the viewport and not clipped by a scrolling list.
  let currentStage = null;
  const nav = document.querySelector('nav.stage-map');
  if (nav) {
    const marked = nav.querySelectorAll('[aria-current="page"]');
    const shown = [...marked].filter((el) => el.getClientRects().length > 0);
    if (shown.length !== 1) {
      currentStage = marked.length + ' element(s) in the stage map carry aria-current="page", ' +
        shown.length + ' of them shown (expected exactly 1)';
    } else {
      const r = shown[0].getBoundingClientRect();
      let clip = { left: 0, right: vw, top: 0, bottom: window.innerHeight };
      for (let a = shown[0].parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') {
          const b = a.getBoundingClientRect();
          clip = { left: Math.max(clip.left, b.left), right: Math.min(clip.right, b.right),
                   top: Math.max(clip.top, b.top), bottom: Math.min(clip.bottom, b.bottom) };
        }
      }
      if (r.width === 0 || r.left < clip.left - 1 || r.right > clip.right + 1 ||
          r.top < clip.top - 1 || r.bottom > clip.bottom + 1) {
        currentStage = 'the current stage "' + shown[0].textContent.trim().slice(0, 40) + '" is at ' +
          [r.left, r.top, r.right, r.bottom].map(Math.round).join(',') + ', outside the visible ' +
          [clip.left, clip.top, clip.right, clip.bottom].map(Math.round).join(',') + ' when the page opens';
      }
    }
  }
  const XLINK = 'http://www.w3.org/1999/xlink';
  const links = [];
  for (const a of document.querySelectorAll('a')) {
    const href = a.getAttribute('href') ?? a.getAttributeNS(XLINK, 'href');
    if (href !== null) links.push(href);
  }
  return {
    height: scroller.scrollHeight,
    viewport: vw,
    innerWidth: window.innerWidth,
    clientWidth: document.documentElement.clientWidth,
    scrollWidth,
    overflowers,
    svgCount: svgs.length,
    svgProblems,
    currentStage,
    links,
    text: PAGE_TEXT,
  };
})()
""".replace("PAGE_TEXT", PAGE_TEXT)

CONTENT_PROBE = r"""
(() => ({
  svgCount: document.querySelectorAll('svg').length,
  text: PAGE_TEXT,
}))()
""".replace("PAGE_TEXT", PAGE_TEXT)


def console_problems(events: list[dict]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()

    def add(text: str) -> None:
        text = " ".join(text.split())[:300]
        if text not in seen:
            seen.add(text)
            problems.append(text)

    urls = {e["params"]["requestId"]: e["params"]["request"]["url"]
            for e in events if e["method"] == "Network.requestWillBeSent"}
    failed_urls = {urls.get(e["params"].get("requestId")) for e in events
                   if e["method"] == "Network.loadingFailed"}
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = params.get("args", [])
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in args)
            add(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            add(f"uncaught exception: {text}")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("source") == "network" and entry.get("url") in failed_urls:
                continue  # already reported from Network.loadingFailed
            if entry.get("level") == "error":
                where = f" ({entry['url']})" if entry.get("url") else ""
                add(f"{entry.get('source', 'log')} error: {entry.get('text', '')}{where}")
        elif method == "Network.loadingFailed":
            if params.get("canceled"):
                continue
            add(f"failed to load resource: {params.get('errorText', '')} "
                f"({params.get('type', 'resource')} request {params.get('requestId')})")
        elif method == "Network.responseReceived":
            status = params.get("response", {}).get("status", 0)
            if status >= 400:
                add(f"HTTP {status} for {params['response'].get('url')}")
    # Name the url instead of the request id where Network.requestWillBeSent told it.
    fixed = []
    for text in problems:
        for rid, url in urls.items():
            text = text.replace(f"request {rid})", f"request: {url})")
        fixed.append(text)
    return fixed


# --------------------------------------------------------------------------
# Internal links
# --------------------------------------------------------------------------


class _IdCollector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("id", "xml:id") and value is not None:
                self.ids.add(value)
            elif key == "name" and tag == "a" and value is not None:
                self.ids.add(value)

    handle_startendtag = handle_starttag


_ids_cache: dict[Path, set[str]] = {}


def ids_in(path: Path) -> set[str]:
    if path not in _ids_cache:
        ids: set[str] = set()
        try:
            root = ET.parse(path).getroot()
            for el in root.iter():
                for key in ("id", "{http://www.w3.org/XML/1998/namespace}id"):
                    if el.get(key) is not None:
                        ids.add(el.get(key))
                if el.tag.endswith("}a") and el.get("name") is not None:
                    ids.add(el.get("name"))
        except ET.ParseError:
            collector = _IdCollector()
            collector.feed(path.read_text(encoding="utf-8", errors="replace"))
            ids = collector.ids
        _ids_cache[path] = ids
    return _ids_cache[path]


def link_problems(page: Path, hrefs: list[str]) -> list[str]:
    problems: list[str] = []
    base = page.resolve().as_uri()
    for href in sorted(set(hrefs)):
        stripped = href.strip()
        if stripped.startswith("//"):
            continue  # protocol-relative: external
        scheme = urllib.parse.urlsplit(stripped).scheme.lower()
        if scheme and scheme != "file":
            if scheme not in EXTERNAL_SCHEMES:
                problems.append(f"link {href!r} has an unknown scheme")
            continue
        target = urllib.parse.urlsplit(urllib.parse.urljoin(base, stripped))
        path = Path(urllib.request.url2pathname(target.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            problems.append(f"dead link {href!r}: no file {path}")
            continue
        fragment = urllib.parse.unquote(target.fragment)
        if fragment and path.suffix.lower() in (".html", ".htm", ".xhtml", ".svg"):
            if fragment not in ids_in(path):
                problems.append(f"dead link {href!r}: no element with id {fragment!r} in {path.name}")
    return problems


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


def parse_max_height(text: str) -> tuple[str, int]:
    """'index.html=1948' -> ('index.html', 1948)."""
    page, sep, pixels = text.rpartition("=")
    if not sep or not page or not pixels.isdigit():
        raise argparse.ArgumentTypeError(f"expected PAGE=PX (e.g. index.html=1948), got {text!r}")
    return page, int(pixels)


def check_page(browser: Chromium, site: Path, page: Path, width_name: str, width: int,
               shots: Path, max_height: int | None = None, heights: dict | None = None) -> list[str]:
    problems: list[str] = []
    url = page.resolve().as_uri()

    # JavaScript on
    browser.set_javascript(True)
    browser.navigate(url)
    on = browser.evaluate(PAGE_PROBE.replace("EMULATED_WIDTH", str(width)))
    problems += console_problems(browser.events)
    if on["scrollWidth"] > on["viewport"]:
        where = "; ".join(on["overflowers"]) or "no single element found"
        problems.append(f"horizontal overflow: page is {on['scrollWidth']}px wide in a "
                        f"{on['viewport']}px viewport (innerWidth {on['innerWidth']}): {where}")
    problems += on["svgProblems"]
    if on["currentStage"]:
        problems.append(on["currentStage"])
    problems += link_problems(page, on["links"])
    if heights is not None:
        heights[(page, width_name)] = on["height"]
    if max_height is not None and on["height"] > max_height:
        problems.append(f"page is {on['height']}px tall at {width}px wide; its budget is {max_height}px")
    rel = page.relative_to(site)
    name = "__".join(rel.with_suffix("").parts)
    browser.screenshot(shots / f"{name}-{width_name}.png", width)

    # JavaScript off: same text, same figures
    browser.set_javascript(False)
    try:
        browser.navigate(url)
        off = browser.evaluate(CONTENT_PROBE)
    finally:
        browser.set_javascript(True)
    if off["svgCount"] != on["svgCount"]:
        problems.append(f"without JavaScript the page has {off['svgCount']} svg elements, "
                        f"with it {on['svgCount']}")
    if hashlib.sha256(off["text"].encode()).digest() != hashlib.sha256(on["text"].encode()).digest():
        problems.append(f"without JavaScript the page text differs ({len(off['text'])} "
                        f"characters without, {len(on['text'])} with)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="folder with the generated site")
    parser.add_argument("--screenshots", type=Path, default=None,
                        help="folder for the PNG screenshots (default: a new temp folder)")
    parser.add_argument("--max-height", type=parse_max_height, action="append", default=[], metavar="PAGE=PX",
                        help="fail when PAGE (a path in the site) is taller than PX CSS px at 1280 px wide")
    args = parser.parse_args(argv)

    site: Path = args.site
    if not site.is_dir():
        print(f"browser check: no such folder: {site}", file=sys.stderr)
        return 2
    budgets = dict(args.max_height)
    for name in budgets:
        if not (site / name).is_file():
            print(f"browser check: --max-height names {name}, which is not a page of {site}", file=sys.stderr)
            return 2

    binary = find_chromium()
    if binary is None:
        print("browser check skipped: no chromium found")
        return 1 if os.environ.get("CI") else 0

    pages = sorted(p for p in site.rglob("*.html") if p.is_file())
    if not pages:
        print(f"browser check: no *.html pages in {site}")
        print("0 passed, 0 failed")
        return 1

    shots = args.screenshots or Path(tempfile.mkdtemp(prefix="browser-check-shots-"))
    shots.mkdir(parents=True, exist_ok=True)
    print(f"screenshots: {shots.resolve()}", flush=True)

    started = time.monotonic()
    passed = failed = 0
    try:
        browser = Chromium(binary)
    except (BrowserError, OSError) as exc:
        print(f"browser check: could not start {binary}: {exc}")
        print(f"0 passed, {len(pages) * len(WIDTHS)} failed")
        return 1
    try:
        browser.open_page()
        for width_name, width, height, mobile in WIDTHS:
            browser.emulate(width, height, mobile)
            for page in pages:
                name = page.relative_to(site).as_posix()
                label = f"{name} @ {width}x{height}"
                budget = budgets.get(name) if not mobile else None
                heights: dict = {}
                try:
                    problems = check_page(browser, site, page, width_name, width, shots, budget, heights)
                except BrowserError as exc:
                    problems = [str(exc)]
                    if browser.proc.poll() is not None:
                        problems.append("chromium exited: " + browser.log_tail()[-500:])
                        raise
                tall = heights.get((page, width_name))
                if tall is not None:
                    label += f" ({tall}px tall" + (f", budget {budget}px)" if budget is not None else ")")
                if problems:
                    failed += 1
                    print(f"FAIL {label}")
                    for problem in problems:
                        print(f"     - {problem}")
                else:
                    passed += 1
                    print(f"ok   {label}")
                sys.stdout.flush()
    except BrowserError as exc:
        print(f"browser check aborted: {exc}")
        failed = len(pages) * len(WIDTHS) - passed
    finally:
        browser.close()
    print(f"screenshots: {shots.resolve()}  ({time.monotonic() - started:.1f}s)")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
