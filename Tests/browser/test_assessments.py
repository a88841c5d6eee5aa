"""Standards and formative assessment in a real browser: import a CASE package, create an assessment,
enter scores with the keyboard only, and see the class mastery tracker update."""
import pathlib
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ADMIN, BASE_URL, TEACHER, assert_accessible, sign_in, sign_out

CASE_SAMPLE = pathlib.Path(__file__).resolve().parents[3] / "shared/data/case/what-standards-could-be-ccss-math.json"
CODE = "CCSS.Math.Content.6.RP.A.1"


def test_keyboard_score_entry_updates_the_tracker(browser, shoot):
    sign_in(browser, ADMIN)
    browser.get(BASE_URL + "/admin/standards")
    browser.find_element(By.ID, "file").send_keys(str(CASE_SAMPLE))
    browser.find_element(By.ID, "subject").send_keys("Mathematics")
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: "Imported What Standards Could Be" in d.page_source)
    sign_out(browser)

    sign_in(browser, TEACHER)
    browser.get(BASE_URL + "/assessments/new")
    title = f"Exit ticket {uuid.uuid4().hex[:5]}"
    browser.find_element(By.ID, "title").send_keys(title)
    browser.find_element(By.CSS_SELECTOR, "input[name='classIds[]']").click()
    browser.find_element(By.ID, "standards").send_keys(CODE)
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "input.score"))

    # Keyboard only: focus the first cell, then type and press Enter down the column.
    cells = browser.find_elements(By.CSS_SELECTOR, "input.score")
    cells[0].click()
    active = browser.switch_to.active_element
    for value in ["3", "4", "2"]:
        typed_in = active
        active.send_keys(value, Keys.ENTER)
        # Enter moves down once the score is saved.
        WebDriverWait(browser, 10).until(lambda d: d.switch_to.active_element != typed_in)
        active = browser.switch_to.active_element
    WebDriverWait(browser, 10).until(lambda d: "Saved 2" in d.find_element(By.ID, "grid-status").text)
    assert "saved" in cells[0].get_attribute("class")
    # A value off the scale is refused: marked in its cell, which keeps the focus, says why, and is never shown as saved.
    refused = active
    refused.send_keys("9", Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: "Not saved" in d.find_element(By.ID, "grid-status").text)
    assert browser.switch_to.active_element == refused
    assert refused.get_attribute("aria-invalid") == "true" and "saved" not in refused.get_attribute("class").split()
    assert "Not saved" in refused.get_attribute("title")
    # A saved cell changed to something that is not a number loses its "saved" mark at once, and is refused.
    cells[0].click()
    cells[0].send_keys(Keys.END, "x")
    assert "saved" not in cells[0].get_attribute("class").split()
    cells[0].send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: "is not a number" in d.find_element(By.ID, "grid-status").text)
    assert browser.switch_to.active_element == cells[0] and cells[0].get_attribute("aria-invalid") == "true"
    # Typed back to what is saved, the cell is accepted again.
    cells[0].clear()
    cells[0].send_keys("3", Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: cells[0].get_attribute("aria-invalid") is None)
    assert_accessible(browser, "score grid")
    shoot("20-score-grid")

    browser.find_element(By.PARTIAL_LINK_TEXT, "mastery").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "tracker"))
    text = browser.find_element(By.ID, "tracker").text
    assert "Meets" in text and "Exceeds" in text and "Approaching" in text
    assert_accessible(browser, "tracker")
    shoot("21-tracker")
    browser.find_element(By.CSS_SELECTOR, "#tracker tbody td a").click()
    WebDriverWait(browser, 10).until(lambda d: title in d.page_source)
    shoot("22-evidence")
