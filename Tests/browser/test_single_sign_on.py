"""Signing in through the district's own accounts: a real OpenID Connect provider (oidc-provider-mock from
PyPI, started on loopback by Scripts/test-all and configured as LODESTAR_SSO_DISTRICT_…) signs the person in
on its own page, and Lodestar checks the ID token it returns."""
import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BASE_URL, assert_accessible, sign_out

LABEL = os.environ.get("LODESTAR_SSO_DISTRICT_LABEL")
pytestmark = pytest.mark.skipif(not LABEL, reason="Scripts/test-all starts the provider and sets LODESTAR_SSO_DISTRICT_LABEL")


# The provider's page: a text field for the subject with its Authorize button, and a deny button (the same
# in oidc-provider-mock 0.3 and 0.4, whose pages differ otherwise).
SUBJECT = (By.CSS_SELECTOR, "input[name='sub']")
AUTHORIZE = (By.XPATH, "//input[@name='sub']/ancestor::form//button[@type='submit']")
DENY = (By.XPATH, "//button[@value='deny']")


def to_provider(browser):
    browser.get(BASE_URL + "/signin")
    browser.find_element(By.LINK_TEXT, f"Sign in with {LABEL}").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(*SUBJECT))
    assert not browser.current_url.startswith(BASE_URL), "the button did not lead to the provider"


def at_provider(browser, subject):
    """From the sign-in page, through the provider's own page, as `subject` (a user the provider knows)."""
    to_provider(browser)
    browser.find_element(*SUBJECT).send_keys(subject)
    browser.find_element(*AUTHORIZE).click()


def test_a_principal_signs_in_with_the_district_account(browser, shoot):
    browser.get(BASE_URL + "/signin")
    assert_accessible(browser, "sign-in page with a provider")
    shoot("signin-with-provider")
    at_provider(browser, "jada")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Today"))
    assert "Jada Green" in browser.page_source
    sign_out(browser)


def test_someone_without_an_account_is_told_why(browser, shoot):
    at_provider(browser, "stranger")
    WebDriverWait(browser, 10).until(lambda d: d.current_url.startswith(BASE_URL) and d.find_elements(By.CSS_SELECTOR, "[role=alert]"))
    message = browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "No Lodestar account uses stranger@elsewhere.example" in message
    assert_accessible(browser, "refused sign-in")
    shoot("signin-refused-by-district-account")
    # Not signed in: Today sends back to the sign-in page.
    browser.get(BASE_URL + "/")
    assert browser.title.startswith("Sign in")


def test_saying_no_at_the_provider_is_shown_in_its_words(browser):
    to_provider(browser)
    browser.find_element(*DENY).click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.startswith(BASE_URL) and d.find_elements(By.CSS_SELECTOR, "[role=alert]"))
    assert "The provider did not sign you in" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
