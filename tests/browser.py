"""Headless Debian chromium driven by selenium, for the browser tests (the demo page, the timeline app).

Skipped where chromium is missing, but failed under CI (CI=true): CI must run the browser tests
(`tests/fhir_server/install-chromium.sh` installs Debian's chromium and chromium-driver as root).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

WINDOW = (1200, 1400)


def require(reason: str | None) -> None:
    """Skip with `reason` (when there is one), or fail under CI, where every browser test must run."""
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the browser tests")
    pytest.skip(reason)


@contextmanager
def chromium(page_load_timeout: float) -> Iterator[object]:
    """A headless chromium (selenium WebDriver), quit on exit."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (test extra)")
    from selenium.webdriver.chrome.service import Service

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    require(None if binary and driver else
            "chromium/chromedriver not installed (tests/fhir_server/install-chromium.sh installs them as root)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={WINDOW[0]},{WINDOW[1]}"):
        options.add_argument(argument)
    browser = webdriver.Chrome(options=options, service=Service(driver))
    browser.set_page_load_timeout(page_load_timeout)
    try:
        yield browser
    finally:
        browser.quit()


def screenshot(browser, directory: Path, name: str, max_height: int = 1800) -> None:
    """`name`.png of the window into `directory`, and of the whole page (up to `max_height` pixels) into
    $DEMO_SCREENSHOTS when set (the README's screenshots, docs/demo/)."""
    browser.save_screenshot(str(directory / f"{name}.png"))
    if os.environ.get("DEMO_SCREENSHOTS"):
        target = Path(os.environ["DEMO_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        height = browser.execute_script("return document.documentElement.scrollHeight")
        chrome = browser.execute_script("return window.outerHeight - window.innerHeight")  # window, not page
        browser.set_window_size(WINDOW[0], min(max(height, 800), max_height) + chrome)
        browser.save_screenshot(str(target / f"{name}.png"))
        browser.set_window_size(*WINDOW)
