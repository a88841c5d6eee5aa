"""Browser tests: headless Chromium (Debian's chromium + chromium-driver) against a running Lodestar.

The server is started by Scripts/test-all with the small demo district; LODESTAR_URL says where.
Screenshots go to LODESTAR_SCREENSHOTS (default: screenshots/ at the package root).
"""
import os
import pathlib

import pytest
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE_URL = os.environ.get("LODESTAR_URL", "http://127.0.0.1:8080")
SCREENSHOTS = pathlib.Path(os.environ.get("LODESTAR_SCREENSHOTS", pathlib.Path(__file__).resolve().parents[2] / "screenshots"))
PASSWORD = "lodestar-demo"
ADMIN = "admin@cedarvalley.example.org"
PRINCIPAL = "jada.green@cedarvalley.example.org"
TEACHER = "nora.washington@cedarvalley.example.org"
TEACHER_NAME = "Nora Washington"
COACH = "linh.green@cedarvalley.example.org"


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

    def take(name, width=1280, media=None):
        """Saves a full-page screenshot; media="print" shows the page as it prints."""
        if media:
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
        browser.execute_script("window.scrollTo(0, 0)")
        browser.set_window_size(width, 900)
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(width, max(900, min(height, 4000)))
        browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
        browser.set_window_size(1280, 900)
        if media:
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    return take


def assert_accessible(browser, page):
    """axe finds no serious or critical violations on the current page."""
    axe = Axe(browser)
    axe.inject()
    results = axe.run()
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{page}: " + "; ".join(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in serious)


def sign_in(browser, email):
    """Signs in through the form and waits for the Today page."""
    browser.get(BASE_URL + "/signin")
    browser.find_element(By.ID, "identifier").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Today"))




def sign_out(browser):
    browser.find_element(By.CSS_SELECTOR, "form.signout button").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Sign in"))


def click_and_wait_for_page(browser, element):
    """Clicks something that loads a new page and waits until the new page has replaced the old one."""
    browser.execute_script("window.__lodestarOldPage = true")
    element.click()
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return window.__lodestarOldPage === undefined && document.readyState === 'complete'"))

