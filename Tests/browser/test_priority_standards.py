"""A district leader makes a grade 12 English language arts standard a priority from its page; the priority
standards page no longer shows grade 12 as a gap. A coach reads the vertical alignment, where grade 8's priorities are
not yet linked to grade 9. axe finds no serious or critical problems."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BASE_URL, assert_accessible, click_and_wait_for_page, sign_in


def test_a_district_leader_makes_a_standard_a_priority(browser, shoot):
    sign_in(browser, "angela.brooks@cedarvalley.example.org")
    browser.get(BASE_URL + "/standards/priorities?document=cedar-valley-ela")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Priority standards"))
    assert "No priority standard yet: Grade 12." in browser.find_element(By.CSS_SELECTOR, "p.gaps").text
    assert_accessible(browser, "priority standards")
    shoot("80-priority-standards")
    browser.get(BASE_URL + "/standards/cv-ela-12-4")
    form = browser.find_element(By.ID, "priority").find_element(By.TAG_NAME, "form")
    form.find_element(By.CSS_SELECTOR, "input[value=readiness]").click()
    form.find_element(By.NAME, "note").send_keys("Research carries into college and work.")
    assert_accessible(browser, "a standard")
    click_and_wait_for_page(browser, form.find_element(By.CSS_SELECTOR, "button[value=save]"))
    assert "CV.ELA.12.4 is a priority standard." in browser.page_source
    assert "Readiness. Research carries into college and work." in browser.find_element(By.CSS_SELECTOR, "p.priority-line").text
    shoot("81-priority-standard-phone", width=390)
    browser.get(BASE_URL + "/standards/priorities?document=cedar-valley-ela")
    assert not browser.find_elements(By.CSS_SELECTOR, "p.gaps")
    assert browser.find_elements(By.CSS_SELECTOR, "li[data-priority='cv-ela-12-4']")


def test_a_coach_reads_the_vertical_alignment(browser, shoot):
    sign_in(browser, "linh.green@cedarvalley.example.org")
    browser.get(BASE_URL + "/standards/priorities?document=cedar-valley-ela")
    browser.find_element(By.LINK_TEXT, "Vertical alignment").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Vertical alignment"))
    unlinked = [row.get_attribute("data-standard") for row in browser.find_elements(By.CSS_SELECTOR, "tr.overdue")]
    assert unlinked == ["cv-ela-08-1", "cv-ela-08-2"]
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-standard='cv-ela-03-2']")
    assert "CV.ELA.2.2" in row.text and "CV.ELA.4.2" in row.text
    assert_accessible(browser, "the vertical alignment")
    shoot("82-vertical-alignment")
    shoot("83-vertical-alignment-phone", width=390)
