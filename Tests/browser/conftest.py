"""Browser tests: headless Chromium (Debian's chromium + chromium-driver) against a running Lodestar.

The server is started by Scripts/test-all with the small demo district; LODESTAR_URL says where.
Screenshots go to LODESTAR_SCREENSHOTS (default: screenshots/ at the package root).
"""
import os
import pathlib

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

BASE_URL = os.environ.get("LODESTAR_URL", "http://127.0.0.1:8080")
SCREENSHOTS = pathlib.Path(os.environ.get("LODESTAR_SCREENSHOTS", pathlib.Path(__file__).resolve().parents[2] / "screenshots"))
PASSWORD = "lodestar-demo"


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture
def shoot(browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name, width=1280):
        browser.execute_script("window.scrollTo(0, 0)")
        browser.set_window_size(width, 900)
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(width, max(900, min(height, 4000)))
        browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
        browser.set_window_size(1280, 900)

    return take
