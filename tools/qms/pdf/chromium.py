"""HTML to PDF with headless Chromium (Debian's chromium-headless-shell): the PDF of each document.

Measured on 1,000 synthetic documents, a persistent headless shell prints a document's PDF in about 30 ms of CPU,
where WeasyPrint takes about 300 ms; WeasyPrint still prints the whole manual (engine.py), whose contents need
page numbers of other pages (target-counter), which Chromium cannot print. Chromium's PDF is made PDF/A-3b, with
the page's metadata, by pdfa.py.

One browser per CPU, each with one tab, spoken to over a pipe with the DevTools protocol (messages ended by a NUL
byte): no port is opened. JavaScript is off, and nothing is fetched from the network or from outside the QMS:
every request a page makes is paused, and answered only with a file the edition publishes (an image a document
shows), read from the QMS folder, as engine.py's fetcher does; any other request fails. The running header and
footer, with "Page X of Y", are Chromium's header and footer templates, printed in the page's margins.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
import selectors
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import EXIT_INTERNAL, EXIT_USAGE, QmsError
from .engine import BASE

BINARIES = ("chromium-headless-shell", "chromium")  # the old headless shell prints about twice as fast
FLAGS = ("--headless", "--remote-debugging-pipe", "--no-first-run", "--disable-gpu", "--disable-extensions",
         "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
         "--disable-sync", "--mute-audio", "--hide-scrollbars", "--font-render-hinting=none",
         "--no-sandbox")  # no sandbox: it cannot start as root or in many containers; JavaScript is off instead
PRINT = {"preferCSSPageSize": True, "printBackground": True, "generateDocumentOutline": True,
         "generateTaggedPDF": False, "displayHeaderFooter": True}


@dataclass(frozen=True)
class Page:
    """One PDF to print: its HTML, its source path in the site (what its links and images are relative to), and
    the HTML of the running header and footer (Chromium fills in the elements of class pageNumber and
    totalPages)."""

    html: str
    src: str
    header: str
    footer: str


def binary() -> str:
    """The headless Chromium to print with."""
    for name in BINARIES:
        found = shutil.which(name)
        if found:
            return found
    raise QmsError("the PDFs of documents need headless Chromium (Debian's chromium-headless-shell): run make "
                   "setup, or bash tools/setup/ensure-pdf.sh", EXIT_USAGE)


@lru_cache(maxsize=1)
def version() -> str:
    """The browser's version (part of every cache key)."""
    found = subprocess.run([binary(), "--version"], capture_output=True, text=True, check=False).stdout.split()
    return "chromium-" + (found[-1] if found else "unknown")


def print_all(pages: Sequence[Page], root: str, files: Mapping[str, str], stylesheet: str,
              browsers: int) -> Iterator[tuple[int, bytes]]:
    """Print `pages` in `browsers` browsers at once; (index, PDF) for each page, as each is printed. `files` maps a
    site path to its file in the QMS at `root` (what a page may show); `stylesheet` is the CSS of every page."""
    if not pages:
        return
    style = f"<style>{stylesheet}</style>"
    with tempfile.TemporaryDirectory(prefix="qms-chromium-", ignore_cleanup_errors=True) as folder:
        started = [_Browser(os.path.join(folder, str(number)), root, files)
                   for number in range(max(1, min(browsers, len(pages))))]
        try:
            for browser in started:
                browser.open()
            waiting = iter(enumerate(pages))
            chooser = selectors.DefaultSelector()
            for browser in started:
                chooser.register(browser.output, selectors.EVENT_READ, browser)
                _next(browser, waiting, style)
            busy = sum(browser.printing is not None for browser in started)
            while busy:
                for ready, _events in chooser.select():
                    browser = ready.data
                    for index, pdf in browser.read():
                        yield index, pdf
                        busy -= 1
                        if _next(browser, waiting, style):
                            busy += 1
        finally:
            for browser in started:
                browser.close()


def _next(browser: _Browser, waiting: Iterator[tuple[int, Page]], style: str) -> bool:
    """Give `browser` the next page to print, if any is left."""
    found = next(waiting, None)
    if found is None:
        return False
    browser.start(found[0], found[1], style)
    return True


class _Browser:
    """One Chromium process and its one tab."""

    def __init__(self, profile: str, root: str, files: Mapping[str, str]) -> None:
        self.root, self.files = root, files
        self.errors = tempfile.TemporaryFile()
        commands, self.input = os.pipe()  # Chromium reads the protocol on its file descriptor 3
        self.output, answers = os.pipe()  # and writes on 4
        try:
            self.process = subprocess.Popen(
                [binary(), *FLAGS, f"--user-data-dir={profile}", "about:blank"], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=self.errors, pass_fds=(3, 4),
                preexec_fn=lambda: _descriptors(commands, answers))
        finally:
            os.close(commands)
            os.close(answers)
        self.buffer = b""
        self.last = 0
        self.session = ""
        self.frame = ""
        self.printing: int | None = None  # the index of the page being printed
        self.page: Page | None = None
        self.sent: dict[int, str] = {}  # the calls not yet answered, by id: what each was
        self.loaded = False

    def open(self) -> None:
        """A tab that runs no script, and whose every request is answered by this process."""
        target = self._call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self._call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self._call("Page.enable")
        self._call("Page.navigate", url="about:blank")
        self._wait("Page.loadEventFired")  # so that no load event comes later but a document's
        self._call("Emulation.setScriptExecutionDisabled", value=True)
        self._call("Fetch.enable", patterns=[{"urlPattern": "*"}])
        self.frame = self._call("Page.getFrameTree")["frameTree"]["frame"]["id"]

    def start(self, index: int, page: Page, style: str) -> None:
        """Load `page` into the tab; read() prints it once it has loaded."""
        self.printing, self.page, self.loaded = index, page, False
        base = f'<base href="{BASE}{os.path.dirname(page.src) + "/" if os.path.dirname(page.src) else ""}">'
        head = page.html.find("<head>")
        html = page.html if head < 0 else page.html[:head + 6] + base + style + page.html[head + 6:]
        self.sent[self._send("Page.setDocumentContent", frameId=self.frame, html=html)] = "loaded"

    def read(self) -> list[tuple[int, bytes]]:
        """Read what Chromium said, answer it, and return the PDF it printed, if it did."""
        chunk = os.read(self.output, 1 << 20)
        if not chunk:
            raise self._stopped()
        self.buffer += chunk
        printed = []
        while b"\0" in self.buffer:
            message, self.buffer = self.buffer.split(b"\0", 1)
            said = json.loads(message)
            if "id" in said:
                what = self.sent.pop(said["id"], None)
                if "error" in said:
                    raise QmsError(f"the PDFs could not be made, and none was written: Chromium refused "
                                   f"{what}: {said['error'].get('message')}", EXIT_INTERNAL)
                if what == "printed":
                    assert self.printing is not None
                    printed.append((self.printing, base64.b64decode(said["result"]["data"])))
                    self.printing = None
                elif what == "loaded" and self.loaded:
                    self._print()
                continue
            event, params = said.get("method"), said.get("params", {})
            if event == "Fetch.requestPaused":
                self._answer(params)
            elif event == "Page.loadEventFired" and self.printing is not None:
                self.loaded = True
                if "loaded" not in self.sent.values():
                    self._print()
        return printed

    def _print(self) -> None:
        assert self.page is not None
        self.sent[self._send("Page.printToPDF", **PRINT, headerTemplate=self.page.header,
                             footerTemplate=self.page.footer)] = "printed"

    def _answer(self, paused: dict[str, Any]) -> None:
        """Serve a request with the published file it names, or fail it."""
        url = paused["request"]["url"].split("#")[0].split("?")[0]
        path = url[len(BASE):] if url.startswith(BASE) else None
        if path is None or path not in self.files:
            self._send("Fetch.failRequest", requestId=paused["requestId"], errorReason="BlockedByClient")
            return
        try:
            with open(os.path.join(self.root, self.files[path]), "rb") as handle:
                body = handle.read()
        except OSError:
            self._send("Fetch.failRequest", requestId=paused["requestId"], errorReason="FileNotFound")
            return
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        self._send("Fetch.fulfillRequest", requestId=paused["requestId"], responseCode=200,
                   responseHeaders=[{"name": "Content-Type", "value": kind}],
                   body=base64.b64encode(body).decode())

    def _send(self, method: str, **params: Any) -> int:
        self.last += 1
        message: dict[str, Any] = {"id": self.last, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self.input, data):]
        except BrokenPipeError:
            raise self._stopped() from None
        return self.last

    def _call(self, method: str, **params: Any) -> Any:
        """Call `method` and wait for its answer (only while the tab is opened, before anything is printed)."""
        wanted = self._send(method, **params)
        while True:
            said = self._receive()
            if said.get("id") == wanted:
                if "error" in said:
                    raise QmsError(f"the PDFs could not be made, and none was written: Chromium refused {method}: "
                                   f"{said['error'].get('message')}", EXIT_INTERNAL)
                return said["result"]

    def _wait(self, event: str) -> None:
        while self._receive().get("method") != event:
            pass

    def _receive(self) -> Any:
        while b"\0" not in self.buffer:
            chunk = os.read(self.output, 1 << 20)
            if not chunk:
                raise self._stopped()
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def _stopped(self) -> QmsError:
        self.process.wait()
        self.errors.seek(0)
        said = [line for line in self.errors.read().decode(errors="replace").splitlines() if line.strip()]
        return QmsError(f"the PDFs could not be made, and none was written: Chromium stopped "
                        f"({said[-1] if said else f'exit code {self.process.returncode}'})", EXIT_INTERNAL)

    def close(self) -> None:
        """Stop the browser (asked first, so that it ends its own processes) and wait for it."""
        if self.process.poll() is None:
            try:
                self._send("Browser.close")
                self.process.wait(timeout=10)
            except (QmsError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        for descriptor in (self.input, self.output):
            os.close(descriptor)
        self.errors.close()


def _descriptors(commands: int, answers: int) -> None:
    """In the child, before it runs Chromium: the pipe's ends as file descriptors 3 and 4."""
    read, write = os.dup(commands), os.dup(answers)
    os.dup2(read, 3)
    os.dup2(write, 4)
