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


def test_an_import_is_followed_on_its_own_page(browser, shoot, tmp_path):
    """The server under test waits for no file (LODESTAR_IMPORT_WAIT_SECONDS=0): the teacher is taken to the
    import's page, which follows it until it ends and says what was imported; a notification says so too."""
    sign_in(browser, TEACHER)
    class_path = browser.find_element(By.CSS_SELECTOR, "a[href^='/classes/']").get_attribute("href")
    browser.get(class_path)
    class_id = class_path.rstrip("/").split("/")[-1]
    students = []
    for link in browser.find_elements(By.CSS_SELECTOR, "a[href^='/students/']"):
        student = link.get_attribute("href").rstrip("/").split("/")[-1]
        if student not in students:
            students.append(student)
    assert len(students) >= 3
    title = f"Unit check {uuid.uuid4().hex[:5]}"
    rows = [f"{title},2026-11-02,{class_id},{student},CV.MATH.K.1,{level}" for student, level in zip(students[:3], [2, 3, 4])]
    file = tmp_path / "unit-check.csv"
    file.write_text("assessment,date,class,student,standard,score\n" + "\n".join(rows) + "\n")

    browser.get(BASE_URL + "/assessments/import")
    browser.find_element(By.ID, "file").send_keys(str(file))
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: "/assessments/import/jobs/" in d.current_url)
    job_url = browser.current_url
    WebDriverWait(browser, 20).until(lambda d: "Imported 1 assessment: 3 new scores" in d.page_source)
    assert "Import of unit-check.csv" in browser.find_element(By.TAG_NAME, "h1").text
    assert_accessible(browser, "import page")
    shoot("import-job-1366", width=1366)
    shoot("import-job-390", width=390)
    browser.refresh()
    assert browser.current_url == job_url and "3 new scores" in browser.page_source

    browser.get(BASE_URL + "/notifications")
    WebDriverWait(browser, 10).until(lambda d: "Your import of unit-check.csv finished" in d.page_source)
    sign_out(browser)
    sign_in(browser, ADMIN)
    browser.get(job_url)
    assert "could not find that page" in browser.page_source
