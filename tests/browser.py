"""Real-browser helpers for tests: a local HTTP server and headless Chromium driven by Selenium.

Nothing here touches the network beyond 127.0.0.1: the server binds to the loopback interface on a free
port, and Chromium is started with its background networking switched off and every host name other than
127.0.0.1 unresolvable. Chromium and its driver are the Debian packages (tools/setup/ensure-chromium.sh).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW = (1280, 1600)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
)


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None when Chromium and its driver are installed."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        return f"{' and '.join(missing)} not installed (run make test, or tools/setup/ensure-chromium.sh)"
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the signature of the base class
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` over HTTP on 127.0.0.1 with a free port; yields the base URL, ending in '/'."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="test-http-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def chrome() -> Iterator[webdriver.Chrome]:
    """Headless Chromium with a new, empty profile, driven by /usr/bin/chromedriver; quit on exit."""
    profile = tempfile.mkdtemp(prefix="qms-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # An explicit driver and browser: Selenium Manager (which would download them) is never consulted.
    service = Service(executable_path=str(CHROMEDRIVER), log_output=subprocess.DEVNULL)
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.set_window_size(*WINDOW)
        driver.set_page_load_timeout(20)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@contextmanager
def print_media(driver: webdriver.Chrome) -> Iterator[None]:
    """Render the current page with the print media's styles (`@media print`) until the block ends."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def screenshots(driver: webdriver.Chrome, folder: Path, name: str) -> tuple[Path, Path]:
    """Save PNG screenshots of the current page as the screen and the print media show it.

    Written to `folder`/`name`-screen.png and `folder`/`name`-print.png; returns both paths.
    """
    folder.mkdir(parents=True, exist_ok=True)
    screen = folder / f"{name}-screen.png"
    printed = folder / f"{name}-print.png"
    screen.write_bytes(driver.get_screenshot_as_png())
    with print_media(driver):
        printed.write_bytes(driver.get_screenshot_as_png())
    return screen, printed
