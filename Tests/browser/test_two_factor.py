"""An assistant principal turns on two-factor sign-in with an authenticator (computed here as the app
would, RFC 6238), then signs in with password and code; axe finds no serious or critical problems.
Uses an account no other browser test signs in with, since the change lasts."""
import base64
import hashlib
import hmac
import struct
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BASE_URL, PASSWORD, assert_accessible, click_and_wait_for_page, sign_in, sign_out

ASSISTANT_PRINCIPAL = "kenji.allen@cedarvalley.example.org"


def totp(key, moment):
    secret = base64.b32decode(key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8))
    mac = hmac.new(secret, struct.pack(">Q", int(moment) // 30), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def test_assistant_principal_turns_on_two_factor_sign_in(browser, shoot):
    sign_in(browser, ASSISTANT_PRINCIPAL)
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "a.who"))
    assert browser.title.startswith("Two-factor sign-in")
    key = browser.find_element(By.CSS_SELECTOR, "code.secret").text
    now = time.time()
    browser.find_element(By.ID, "confirm-code").send_keys(totp(key, now))
    click_and_wait_for_page(browser, browser.find_element(By.XPATH, "//button[text()='Turn on two-factor sign-in']"))
    codes = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "ul.recovery-codes code")]
    assert len(codes) == 10
    assert_accessible(browser, "two-factor recovery codes")
    shoot("37-two-factor")

    sign_out(browser)
    browser.get(BASE_URL + "/signin")
    browser.find_element(By.ID, "identifier").send_keys(ASSISTANT_PRINCIPAL)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"))
    assert browser.title.startswith("Sign in: code")
    assert_accessible(browser, "sign-in code")
    # The code used to turn it on is spent; the app's next code (one step of drift allowed) opens Lodestar.
    browser.find_element(By.ID, "code").send_keys(totp(key, now + 30))
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Today"))
