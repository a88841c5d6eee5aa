"""A district leader makes a grade 12 English language arts standard a priority from its page; the priority
standards page no longer shows grade 12 as a gap. axe finds no serious or critical problems."""
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
