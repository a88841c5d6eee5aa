"""A principal opens the connected-calendars page and tries an address Lodestar must not fetch, then makes
their private calendar feed and subscribes to it as a calendar app would: axe finds no serious or critical
problems, and the feed is a calendar Python's icalendar reads."""
import re
import urllib.request

import icalendar
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BASE_URL, PRINCIPAL, assert_accessible, click_and_wait_for_page, sign_in, sign_out


def test_principal_connects_calendars_and_subscribes_to_their_feed(browser, shoot):
    sign_in(browser, PRINCIPAL)
    browser.get(BASE_URL + "/time")
    WebDriverWait(browser, 10).until(lambda d: "/time/" in d.current_url)
    browser.find_element(By.LINK_TEXT, "Connect a calendar").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Connected calendars"))
    assert_accessible(browser, "connected calendars")
    browser.find_element(By.ID, "label").send_keys("Work")
    browser.find_element(By.ID, "address").send_keys("https://169.254.169.254/latest/meta-data")
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.panel button.primary"))
    alert = browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "169.254.169.254, which is not on the internet" in alert, alert
    assert_accessible(browser, "connected calendars, refused")
    shoot("40-connected-calendars")

    browser.get(BASE_URL + "/account/calendar-feed")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Your calendar feed"))
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form button.primary"))
    link = browser.find_element(By.ID, "feed-link").get_attribute("value")
    assert re.fullmatch(r"http://[^/]+/calendar/feed/[A-Za-z0-9_-]{43}\.ics", link), link
    assert_accessible(browser, "calendar feed")
    shoot("41-calendar-feed")
    sign_out(browser)

    # A calendar app has no session: the link alone opens the feed.
    with urllib.request.urlopen(link) as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.read())
    assert str(calendar["PRODID"]).startswith("-//Lodestar")
    for event in calendar.walk("VEVENT"):
        assert event["UID"] and "DTSTAMP" in event and "SEQUENCE" in event
