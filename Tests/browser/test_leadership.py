"""The leadership team's self-assessment in the browser: a teacher leader rates an indicator on their own, the
principal rates, sees the spread, records the team's rating with its evidence and turns it into a school goal in one
click; a district leader reads the heatmap. axe finds no serious or critical problems on these pages."""
import datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BASE_URL, PRINCIPAL, assert_accessible, click_and_wait_for_page, sign_in, sign_out

TEACHER_LEADER = "gabriel.olsen@cedarvalley.example.org"
DISTRICT_LEADER = "angela.brooks@cedarvalley.example.org"


def school_year():
    today = datetime.date.today()
    return today.year if today >= datetime.date(today.year, 8, 1) else today.year - 1


def rate(browser, level, evidence, form="form.rating-form"):
    browser.find_element(By.CSS_SELECTOR, f'{form} input[name=level][value="{level}"]').click()
    box = browser.find_element(By.CSS_SELECTOR, f"{form} textarea")
    box.clear()
    box.send_keys(evidence)
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, f"{form} button[type=submit]"))


def test_a_team_rates_an_indicator_and_turns_it_into_a_goal(browser, shoot):
    base = f"{BASE_URL}/leadership/school-1/{school_year()}"
    sign_in(browser, TEACHER_LEADER)
    browser.find_element(By.LINK_TEXT, "Leadership").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Leadership self-assessment"))
    browser.get(base + "/succession")
    assert "Rate on your own first" in browser.page_source
    rate(browser, 2, "Two of our PLC leads could step up; no one is prepared for the coach role.")
    assert "1 rating, all at 2" in browser.page_source
    sign_out(browser)

    sign_in(browser, PRINCIPAL)
    browser.get(base)
    assert_accessible(browser, "the school's year")
    shoot("60-leadership-year")
    browser.find_element(By.LINK_TEXT, "Growing the next leaders").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Growing the next leaders"))
    # Blind until the principal's own rating is in.
    assert "no one is prepared for the coach role" not in browser.page_source
    evidence = browser.find_element(By.CSS_SELECTOR, ".evidence-panel").text
    assert "PLC" in evidence and "met in the last 30 days" in evidence
    rate(browser, 4, "Every team has a lead; the assistant principal is ready to step in.")
    assert "no one is prepared for the coach role" in browser.page_source
    assert "2 ratings from 2 to 4 (2: 1, 4: 1)" in browser.page_source
    rate(browser, 3, "We agreed on Established: leads in every team, no successor yet for the coach.", form="form.rating-form[action$='/team']")
    assert "We agreed on Established" in browser.find_element(By.ID, "team-heading").find_element(By.XPATH, "..").text
    assert_accessible(browser, "an indicator")
    shoot("61-leadership-indicator")
    shoot("62-leadership-indicator-phone", width=390)

    click_and_wait_for_page(browser, browser.find_element(By.XPATH, "//button[text()='Make it a school goal']"))
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Goal: "))
    assert "Move “Growing the next leaders” from Established to Leading" in browser.page_source
    assert "From the leadership team's" in browser.find_element(By.ID, "log").text
    goal = browser.current_url
    browser.get(base + "/succession")
    assert browser.find_element(By.LINK_TEXT, "The goal this became").get_attribute("href") == goal

    browser.get(base + "/summary")
    assert "We agreed on Established" in browser.page_source
    assert_accessible(browser, "the one-page summary")
    shoot("63-leadership-summary", width=816, media="print")
    browser.get(base)
    sign_out(browser)

    sign_in(browser, DISTRICT_LEADER)
    browser.get(BASE_URL + "/leadership/district")
    cell = browser.find_element(By.CSS_SELECTOR, f"a[href='/leadership/school-1/{school_year()}/succession']")
    assert cell.text.split()[0] == "3"
    assert_accessible(browser, "the district's heatmap")
    shoot("64-leadership-district")
