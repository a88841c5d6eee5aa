"""Walkthroughs in a real browser: the whole feedback loop on a phone-sized window, and capture with no network."""
import time
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BASE_URL, COACH, PRINCIPAL, TEACHER, TEACHER_NAME, assert_accessible, sign_in, sign_out

PHONE = (360, 780)


def open_capture(browser):
    browser.get(BASE_URL + "/walkthroughs/new")
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "walkthrough-form").is_displayed())


def capture(browser, glow, teacher="nora"):
    """Fills in a three-practice walkthrough with feedback and saves it: 7 taps plus typing."""
    search = browser.find_element(By.ID, "teacher-search")
    search.send_keys(teacher)
    browser.find_element(By.CSS_SELECTOR, "#teacher-matches button.match").click()
    for key in ("learning-target", "checks-for-understanding", "discourse"):
        browser.find_element(By.CSS_SELECTOR, f'button.mark[data-indicator="{key}"][data-mark="observed"]').click()
    browser.find_element(By.ID, "glow").send_keys(glow)
    browser.find_element(By.ID, "grow").send_keys("Ask one more student to add on before you respond.")
    assert browser.find_element(By.ID, "question").get_attribute("value"), "a reflective question is suggested"
    browser.find_element(By.ID, "save").click()


def status(browser):
    return browser.find_element(By.ID, "sync-status").text


def test_feedback_loop_on_a_phone(browser, shoot):
    browser.set_window_size(*PHONE)
    sign_in(browser, PRINCIPAL)
    open_capture(browser)
    assert_accessible(browser, "capture")
    # The class is suggested once the teacher is chosen.
    browser.find_element(By.ID, "teacher-search").send_keys("nora")
    browser.find_element(By.CSS_SELECTOR, "#teacher-matches button.match").click()
    assert browser.find_element(By.ID, "class").get_attribute("value") != ""
    browser.find_element(By.CSS_SELECTOR, 'button.mark[data-indicator="learning-target"][data-mark="observed"]').click()
    shoot("10-capture-phone", width=PHONE[0])
    browser.refresh()
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "walkthrough-form").is_displayed())

    glow = f"Students explained the learning target to a partner ({uuid.uuid4().hex[:6]})."
    capture(browser, glow)
    WebDriverWait(browser, 15).until(lambda d: "All walkthroughs are sent" in status(d))
    # The confirmation names the teacher and stays after the walkthrough is sent, until dismissed.
    note = browser.find_element(By.ID, "saved-note")
    assert note.is_displayed() and f"Saved your walkthrough of {TEACHER_NAME}, with feedback shared with them." in note.text
    browser.find_element(By.ID, "saved-dismiss").click()
    assert not note.is_displayed()
    sign_out(browser)

    sign_in(browser, TEACHER)
    browser.get(BASE_URL + "/feedback")
    assert glow in browser.page_source
    assert_accessible(browser, "inbox")
    shoot("11-inbox-phone", width=PHONE[0])
    shoot("11-inbox")
    item = [i for i in browser.find_elements(By.CSS_SELECTOR, ".feed-item") if glow in i.text][0]
    item.find_element(By.CSS_SELECTOR, ".feed-head a[href^='/walkthroughs/']").click()
    WebDriverWait(browser, 10).until(lambda d: "/walkthroughs/" in d.current_url)
    reflection = "I will try a turn-and-talk before taking answers tomorrow."
    browser.find_element(By.ID, "body").send_keys(reflection)
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: reflection in d.page_source)
    assert_accessible(browser, "walkthrough")
    shoot("12-walkthrough-teacher", width=PHONE[0])
    walkthrough_url = browser.current_url.split("#")[0]
    sign_out(browser)

    sign_in(browser, PRINCIPAL)
    browser.get(walkthrough_url)
    assert reflection in browser.page_source
    assert TEACHER_NAME in browser.page_source

    browser.set_window_size(1280, 900)
    browser.get(BASE_URL + "/walkthroughs")
    assert_accessible(browser, "visits")
    shoot("14-visits")
    browser.get(BASE_URL + "/walkthroughs/coverage")
    assert "Visit coverage" in browser.page_source
    assert_accessible(browser, "coverage")
    shoot("15-coverage")


def test_capture_offline_then_sync_exactly_once(browser, shoot):
    browser.set_window_size(*PHONE)
    sign_in(browser, PRINCIPAL)
    open_capture(browser)
    # Wait until the service worker has the page and the data cached.
    WebDriverWait(browser, 20).until(lambda d: d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        navigator.serviceWorker.ready
          .then(() => caches.open('lodestar-capture-v1'))
          .then((cache) => Promise.all([cache.match('/walkthroughs/new'), cache.match('/walkthroughs/capture-data')]))
          .then((found) => done(found.every(Boolean) && !!navigator.serviceWorker.controller))
          .catch(() => done(false));
    """))

    browser.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
    try:
        browser.refresh()  # served by the service worker
        WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "walkthrough-form").is_displayed())
        marker = uuid.uuid4().hex[:6]
        glows = [f"Offline visit one {marker}", f"Offline visit two {marker}"]
        for glow in glows:
            capture(browser, glow)
            time.sleep(0.5)
        WebDriverWait(browser, 10).until(lambda d: "2 walkthroughs are waiting to sync" in status(d))
        assert "offline" in status(browser)
        shoot("13-capture-offline-queue", width=PHONE[0])
    finally:
        browser.delete_network_conditions()

    browser.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
    # The page sends the queue by itself when the network returns (and retries every 15 seconds).
    WebDriverWait(browser, 40).until(lambda d: "All walkthroughs are sent" in status(d))

    browser.get(BASE_URL + "/walkthroughs")
    page = browser.page_source
    for glow in glows:
        assert page.count(glow) == 1, f"{glow} should arrive exactly once"


def test_coach_sees_caseload_and_coaching_record(browser, shoot):
    sign_in(browser, COACH)
    browser.get(BASE_URL + "/coaching")
    assert "Your caseload" in browser.page_source
    assert_accessible(browser, "coaching")
    shoot("16-coaching-caseload")
    browser.find_element(By.CSS_SELECTOR, "table tbody tr td a").click()
    WebDriverWait(browser, 10).until(lambda d: "/coaching/teachers/" in d.current_url)
    browser.find_element(By.CSS_SELECTOR, "details.panel summary").click()
    assert_accessible(browser, "coaching record")
    shoot("17-coaching-record")
