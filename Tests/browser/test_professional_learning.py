"""A principal accepts a need the evidence proposes, plans a session for it, records who attended and
reads the session's impact; a teacher sets a growth goal. axe finds no serious or critical problems."""
import datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BASE_URL, PRINCIPAL, TEACHER, assert_accessible, click_and_wait_for_page, sign_in


def test_principal_plans_learning_from_evidence(browser, shoot):
    sign_in(browser, PRINCIPAL)
    click_and_wait_for_page(browser, browser.find_element(By.LINK_TEXT, "Learning"))
    assert browser.title.startswith("Professional learning")
    assert_accessible(browser, "professional learning")
    shoot("30-learning-hub")

    # Accept the first need the evidence proposes.
    first = browser.find_element(By.CSS_SELECTOR, "table tbody tr")
    title = first.find_element(By.CSS_SELECTOR, "th").text.split("\n")[0]
    click_and_wait_for_page(browser, first.find_element(By.CSS_SELECTOR, "button"))
    assert f"Need accepted: {title}" in browser.find_element(By.CSS_SELECTOR, "p.notice").text

    # Plan a session for it, held three weeks ago, on one practice.
    accepted = [row for row in browser.find_elements(By.CSS_SELECTOR, "table tbody tr") if row.find_element(By.CSS_SELECTOR, "th").text.startswith(title)]
    click_and_wait_for_page(browser, accepted[0].find_element(By.LINK_TEXT, "Plan a session"))
    assert browser.find_element(By.ID, "title").get_attribute("value") == title
    held = (datetime.date.today() - datetime.timedelta(days=21)).isoformat()
    browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, "day"), held)
    browser.find_element(By.ID, "audience").send_keys("K–5 teachers")
    practice = browser.find_element(By.ID, "practice-discourse")
    if not practice.is_selected():
        practice.click()
    browser.find_element(By.ID, "lookFors").send_keys("Partners explain their thinking to each other")
    assert_accessible(browser, "plan a session")
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]"))
    assert browser.find_element(By.TAG_NAME, "h1").text == title
    assert "Partners explain their thinking to each other" in browser.page_source

    # Three teachers attended.
    boxes = browser.find_elements(By.CSS_SELECTOR, "input[name='attended[]']")[:3]
    attendee = browser.execute_script(
        "return document.querySelector('label[for=\"' + arguments[0] + '\"]').firstChild.textContent.trim()", boxes[0].get_attribute("id"))
    for box in boxes:
        box.click()
    click_and_wait_for_page(browser, browser.find_element(By.XPATH, "//button[text()='Save attendance']"))
    assert "Attendance saved: 3 attended." in browser.find_element(By.CSS_SELECTOR, "p.notice").text
    assert_accessible(browser, "session")
    shoot("31-learning-session")

    click_and_wait_for_page(browser, browser.find_element(By.LINK_TEXT, "Impact"))
    assert browser.title.startswith("Impact: ")
    assert "attended by 3 staff" in browser.page_source
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr th")
    assert any(row.text == "Student discourse" for row in rows)
    assert "Before and after, not cause and effect." in browser.page_source
    assert_accessible(browser, "impact")
    shoot("32-learning-impact")

    # Visiting an attendee, the capture page shows the session's look-fors.
    browser.get(BASE_URL + "/walkthroughs/new")
    browser.find_element(By.ID, "teacher-search").send_keys(attendee)
    match = [b for b in browser.find_elements(By.CSS_SELECTOR, "#teacher-matches button") if b.text.startswith(attendee)]
    match[0].click()
    WebDriverWait(browser, 10).until(lambda d: "Partners explain their thinking to each other" in d.find_element(By.ID, "teacher-follow-ups").text)
    assert f"After “{title}”" in browser.find_element(By.ID, "teacher-follow-ups").text

    # Mentors, PLCs and the school's growth goals, as the principal sees them.
    browser.get(BASE_URL + "/mentors")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Mentors"))
    assert "Suggested from the evidence" in browser.page_source
    assert_accessible(browser, "mentors")
    shoot("35-mentors")
    browser.get(BASE_URL + "/plcs")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("PLCs"))
    assert "Start a PLC at Lincoln Elementary School" in browser.page_source
    assert_accessible(browser, "PLCs")
    browser.get(BASE_URL + "/growth")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Growth goals"))
    assert browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert_accessible(browser, "growth goals")


def test_teacher_sets_a_growth_goal_and_reflects(browser, shoot):
    sign_in(browser, TEACHER)
    browser.get(BASE_URL + "/growth")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("My growth goal"))
    browser.find_element(By.CSS_SELECTOR, "details.panel summary").click()
    browser.find_element(By.ID, "statement").send_keys("Every lesson ends with a check for understanding I use the next day.")
    browser.find_element(By.ID, "goal-checks-for-understanding").click()
    click_and_wait_for_page(browser, browser.find_element(By.XPATH, "//button[text()='Save the goal']"))
    assert "Every lesson ends with a check for understanding" in browser.find_element(By.CSS_SELECTOR, "p.vision").text
    browser.find_element(By.ID, "body").send_keys("Exit tickets took five minutes; sorting them took ten.")
    click_and_wait_for_page(browser, browser.find_element(By.XPATH, "//button[text()='Add reflection']"))
    assert "sorting them took ten" in browser.page_source
    assert "Earlier goals" in browser.page_source  # the demo goal is kept in the history
    assert_accessible(browser, "growth goal")
    shoot("33-growth-goal")

    browser.get(BASE_URL + "/plcs")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("PLCs"))
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "table tbody tr th a"))
    assert "Cycles of inquiry" in browser.page_source
    assert_accessible(browser, "PLC")
    shoot("34-plc")
