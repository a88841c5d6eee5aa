"""A principal reads the school plan, works an action step, prints the one-page plan, and looks at
the week of their own time; a district leader sees school leaders' time. axe finds no serious or
critical problems on any of these pages."""
from selenium.webdriver.common.by import By
import base64
import re
import time

from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import BASE_URL, PRINCIPAL, assert_accessible, click_and_wait_for_page, sign_in, sign_out

DISTRICT_LEADER = "angela.brooks@cedarvalley.example.org"


def test_principal_works_the_school_plan_and_prints_it(browser, shoot):
    sign_in(browser, PRINCIPAL)
    browser.find_element(By.LINK_TEXT, "Goals").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Goals: "))
    cards = browser.find_elements(By.CSS_SELECTOR, ".goal-card")
    assert len(cards) == 3
    assert len(browser.find_elements(By.CSS_SELECTOR, ".goal-card svg.chart title")) == 3
    assert_accessible(browser, "school plan")
    shoot("10-school-plan")

    cards[0].find_element(By.CSS_SELECTOR, "h2 a").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Goal: "))
    assert "How the status is decided" in browser.page_source
    assert_accessible(browser, "goal")
    shoot("11-goal")

    step = f"Share the October data at the staff meeting ({int(time.time())})"
    browser.find_element(By.ID, "step-text").send_keys(step)
    browser.find_element(By.ID, "step-due").send_keys("12/18/2026")
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.add-step button"))
    assert step in browser.find_element(By.ID, "plan").text
    assert "Step added: " + step in browser.find_element(By.ID, "log").text

    browser.get(browser.current_url.split("#")[0].rsplit("/", 1)[0] + "/print")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Plan: "))
    assert len(browser.find_elements(By.CSS_SELECTOR, ".plan-goal")) == 3
    assert_accessible(browser, "printable plan")
    shoot("12-school-plan-print", width=816, media="print")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element(By.CSS_SELECTOR, ".screen-only").is_displayed()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    # Printed on US Letter, the plan is one sheet.
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.5, "paperHeight": 11, "preferCSSPageSize": True})["data"])
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1

    # With six goals, each with a chart and its steps, it is still one sheet.
    for number in range(3):
        browser.get(BASE_URL + "/goals/school-1/new")
        browser.find_element(By.ID, "statement").send_keys(f"Families at conferences, term {number + 1} ({int(time.time())}): every family of every student, in person or by phone")
        browser.find_element(By.CSS_SELECTOR, 'input[name=kind][value="manual"]').click()
        browser.find_element(By.ID, "unit").send_keys("%")
        browser.find_element(By.ID, "baseline").send_keys("60")
        browser.find_element(By.ID, "target").send_keys("90")
        browser.find_element(By.ID, "deadline").send_keys("05/28/2027")
        click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.wide-form button[type=submit]"))
        assert "/goals/school-1/" in browser.current_url and not browser.find_elements(By.CSS_SELECTOR, "[role=alert]")
        for step in range(5):
            browser.find_element(By.ID, "step-text").send_keys(f"Call the families of homeroom {step + 1} and log who came")
            browser.find_element(By.ID, "step-due").send_keys(f"01/{10 + step}/2027")
            click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.add-step button"))
    browser.get(BASE_URL + "/goals/school-1/print")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".plan-goal")) == 6
    assert "2 more steps (done, dropped or due later) in Lodestar." in browser.page_source
    shoot("13-school-plan-print-six-goals", width=816, media="print")
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.5, "paperHeight": 11, "preferCSSPageSize": True})["data"])
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


def test_principal_sees_the_week_and_corrects_a_category(browser, shoot):
    sign_in(browser, PRINCIPAL)
    browser.find_element(By.LINK_TEXT, "My time").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("My time"))
    browser.find_element(By.LINK_TEXT, "← Previous week").click()
    WebDriverWait(browser, 10).until(lambda d: "week=" in d.current_url)
    assert browser.find_elements(By.CSS_SELECTOR, ".entry-instructional")
    assert browser.find_elements(By.CSS_SELECTOR, ".entry-management")
    assert "On instruction this week" in browser.page_source
    assert_accessible(browser, "time week")
    shoot("13-time-week")
    shoot("13-time-week-phone", width=360)

    entry = next(e for e in browser.find_elements(By.CSS_SELECTOR, ".entry-management") if e.find_elements(By.CSS_SELECTOR, ".entry-edit"))
    title = entry.find_element(By.CSS_SELECTOR, ".entry-title").text
    entry.find_element(By.CSS_SELECTOR, ".entry-edit summary").click()
    form = entry.find_element(By.CSS_SELECTOR, "form.entry-form")
    Select(form.find_element(By.TAG_NAME, "select")).select_by_value("planning")
    click_and_wait_for_page(browser, form.find_element(By.TAG_NAME, "button"))
    same = [e for e in browser.find_elements(By.CSS_SELECTOR, ".entry") if e.find_element(By.CSS_SELECTOR, ".entry-title").text == title]
    assert same and all(e.find_element(By.CSS_SELECTOR, ".entry-category").text.startswith("Planning with teachers") for e in same)

    browser.find_element(By.LINK_TEXT, "This year").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Time this year"))
    assert_accessible(browser, "time year")
    shoot("14-time-year")
    sign_out(browser)

    sign_in(browser, DISTRICT_LEADER)
    browser.find_element(By.LINK_TEXT, "Leaders' time").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("School leaders"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "table tbody tr")) >= 3
    assert_accessible(browser, "leaders' time")
    shoot("15-leaders-time")
