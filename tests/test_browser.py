"""The published manual in a real browser: the starter QMS built by mkdocs, served on 127.0.0.1 and opened in
headless Chromium (Selenium). Needs /usr/bin/chromium and /usr/bin/chromedriver, which `make test` installs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import chrome, chromium_missing, print_media, screenshots, serve
from helpers import PROJECT
from selenium.common.exceptions import TimeoutException
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

SOP_TITLE = "Control of Documented Information"
# Set QMS_SCREENSHOTS=DIR to keep copies of the screenshots for people to look at.
KEEP = os.environ.get("QMS_SCREENSHOTS")
WAIT = 10  # seconds


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The starter manual, built as `make manual` builds it, served over HTTP on 127.0.0.1."""
    site = tmp_path_factory.mktemp("manual") / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                            cwd=PROJECT, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def driver() -> Iterator[Chrome]:
    missing = chromium_missing()
    if missing:
        pytest.fail(f"browser tests need Chromium: {missing}", pytrace=False)
    with chrome() as browser:
        yield browser


@pytest.fixture(scope="module")
def sop_url(driver: Chrome, base_url: str) -> str:
    """The URL of SOP-001, as linked from the home page."""
    driver.get(base_url)
    link = driver.find_element(By.XPATH, f"//article//a[normalize-space()='{SOP_TITLE}']")
    href = link.get_attribute("href") or ""
    assert "SOP-001" in href and href.startswith(base_url), href
    return href


def search(driver: Chrome, base_url: str, query: str) -> list[WebElement]:
    """Type `query` into mkdocs-material's search box on a freshly loaded home page; the result items."""
    driver.get(base_url)
    box = driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
    box.click()
    box.send_keys(query)
    meta = (By.CSS_SELECTOR, ".md-search-result__meta")
    try:  # "Initializing search", then "Type to start searching", then the answer to the query
        WebDriverWait(driver, WAIT).until(lambda d: re.search(
            r"(No|\d+) matching document", d.find_element(*meta).get_attribute("textContent") or ""))
    except TimeoutException:
        raise AssertionError(f"no search answer for {query!r}: "
                             f"{driver.find_element(*meta).get_attribute('textContent')!r}") from None
    assert box.get_attribute("value") == query
    return driver.find_elements(By.CSS_SELECTOR, ".md-search-result__item")


def rendered_by_plugin(driver: Chrome) -> WebElement:
    """The control block of the current page."""
    blocks = driver.find_elements(By.CSS_SELECTOR, ".qms-control")
    assert len(blocks) == 1, "the page has no control block"
    return blocks[0]


def test_home_page_lists_the_effective_documents_and_loads_nothing_from_outside(driver: Chrome, base_url: str) -> None:
    driver.get(base_url)
    article = driver.find_element(By.CSS_SELECTOR, "article")
    assert SOP_TITLE in article.text
    assert "Packaging and Preservation" not in driver.page_source  # WI-004 is a draft
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(url.startswith(base_url) for url in resources), resources


def test_search_finds_an_effective_document(driver: Chrome, base_url: str) -> None:
    items = search(driver, base_url, "documented information")
    assert items
    assert any(SOP_TITLE in item.text for item in items), [item.text for item in items]


def test_search_does_not_find_the_draft(driver: Chrome, base_url: str) -> None:
    # "Packaging" also occurs in effective documents (SOP-010, SOP-011), so results are allowed, but none may
    # be the draft WI-004 "Packaging and Preservation of Finished Parts".
    items = search(driver, base_url, "Packaging")
    links = [a.get_attribute("href") or "" for a in driver.find_elements(By.CSS_SELECTOR, "a.md-search-result__link")]
    assert not [href for href in links if "WI-004" in href], links
    assert not [item.text for item in items if "Packaging and Preservation" in item.text]
    # A word that only the draft uses finds nothing at all.
    assert search(driver, base_url, "carton") == []
    assert "No matching documents" in driver.find_element(By.CSS_SELECTOR, ".md-search-result__meta").text


def test_procedure_page_screenshots(driver: Chrome, sop_url: str, tmp_path: Path) -> None:
    driver.get(sop_url)
    assert SOP_TITLE in driver.find_element(By.CSS_SELECTOR, "article h1").text
    folder = tmp_path / "screenshots"
    shots = screenshots(driver, folder, "SOP-001")
    print(f"screenshots of SOP-001 (screen and print media): {folder}")
    for shot in shots:
        assert shot.is_file() and shot.stat().st_size > 1000, shot
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot
        if KEEP:
            Path(KEEP).mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, Path(KEEP) / shot.name)


def test_procedure_page_shows_the_control_block(driver: Chrome, sop_url: str) -> None:
    driver.get(sop_url)
    block = rendered_by_plugin(driver)
    assert block.is_displayed()
    assert block.get_attribute("data-qms-id") == "SOP-001"
    assert "SOP-001" in block.text and SOP_TITLE in block.text
    # The banner is only for paper: hidden on screen (qms.css is loaded).
    banners = driver.find_elements(By.CSS_SELECTOR, ".qms-print-banner")
    assert banners, "no .qms-print-banner on the page"
    assert not banners[0].is_displayed(), "print banner shown on screen: is qms.css loaded?"


def test_printed_procedure_has_the_banner_and_no_navigation(driver: Chrome, sop_url: str, tmp_path: Path) -> None:
    driver.get(sop_url)
    rendered_by_plugin(driver)
    assert any(sidebar.is_displayed() for sidebar in driver.find_elements(By.CSS_SELECTOR, ".md-sidebar"))
    _, printed = screenshots(driver, tmp_path / "screenshots", "SOP-001")
    assert printed.is_file() and printed.stat().st_size > 1000
    with print_media(driver):
        sidebars = driver.find_elements(By.CSS_SELECTOR, ".md-sidebar")
        assert sidebars and not any(sidebar.is_displayed() for sidebar in sidebars)
        for hidden in (".md-header", ".md-footer", ".md-search"):
            assert not any(element.is_displayed() for element in driver.find_elements(By.CSS_SELECTOR, hidden)), hidden
        banner = driver.find_element(By.CSS_SELECTOR, ".qms-print-banner")
        assert banner.is_displayed()
        assert "Uncontrolled copy when printed" in banner.text
        assert "SOP-001" in banner.text
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}",
                            driver.find_element(By.CSS_SELECTOR, ".qms-print-date").text), banner.text  # qms.js
        assert driver.find_element(By.CSS_SELECTOR, ".qms-control").is_displayed()


def test_search_by_id_finds_the_document_first(driver: Chrome, base_url: str) -> None:
    search(driver, base_url, "SOP-009")
    read = "return [...document.querySelectorAll('a.md-search-result__link')].map(a => a.href)"
    settled: list[list[str]] = []  # the results are read in one step, once two readings agree (they render late)
    WebDriverWait(driver, WAIT).until(lambda d: settled.append(d.execute_script(read)) or
                                      (len(settled) > 1 and settled[-1] == settled[-2] and bool(settled[-1])))
    links = settled[-1]
    assert links and "sop/SOP-009-" in links[0] and "history" not in links[0], links
    assert not [href for href in links if "/history/" in href], links  # histories are not searched


def test_numbered_steps_keep_their_approved_numbers(driver: Chrome, sop_url: str) -> None:
    driver.get(sop_url)
    lists = driver.find_elements(By.CSS_SELECTOR, "article ol")
    starts = [int(ol.get_attribute("start") or "1") for ol in lists]
    assert starts[:3] == [1, 4, 8], starts  # the text's own 1., 4. and 8., so "steps 5 to 12" are on the page
    assert "14. " not in driver.find_element(By.CSS_SELECTOR, "article").text  # numbers come from <ol start>


def test_master_list_fits_on_screen_and_on_paper(driver: Chrome, base_url: str) -> None:
    driver.get(base_url + "master-list/")
    def clipped() -> list[str]:
        return driver.execute_script("""
            const table = document.querySelector('.qms-master-list table');
            const content = document.querySelector('article').getBoundingClientRect();
            return [...table.querySelectorAll('th, td')].filter(cell => {
                const box = cell.getBoundingClientRect();
                return box.width === 0 || box.right > content.right + 1;
            }).map(cell => cell.textContent);""")
    header = driver.find_elements(By.XPATH, "//div[contains(@class,'qms-master-list')]//th")
    assert [cell.text for cell in header][-1] == "Next review"
    assert clipped() == []
    with print_media(driver):
        assert driver.find_elements(By.XPATH, "//div[contains(@class,'qms-master-list')]//th")[-1].is_displayed()
        assert clipped() == []
        pdf = driver.print_page()  # Chromium's own print to PDF of the page, as staff would print it
        assert len(pdf) > 1000
