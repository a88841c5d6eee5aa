"""A district leader reads practice trends across schools, opens the visits behind a cell, and checks
feedback and coverage; axe finds no serious or critical problems."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import BASE_URL, assert_accessible, click_and_wait_for_page, sign_in

DISTRICT_LEADER = "angela.brooks@cedarvalley.example.org"


def test_district_leader_reads_practice_trends(browser, shoot):
    sign_in(browser, DISTRICT_LEADER)
    browser.find_element(By.LINK_TEXT, "Insights").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Practice trends"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.heatmap tbody tr")) == 14
    assert_accessible(browser, "practice trends")
    shoot("20-practice-trends")

    Select(browser.find_element(By.ID, "by")).select_by_value("school_id")
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.filters button"))
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.heatmap thead th")]
    assert len(headers) == 6  # practice, three schools, all, not looked for
    shoot("21-practice-by-school")

    cell = browser.find_element(By.CSS_SELECTOR, "table.heatmap tbody td.heat a")
    visits = int(cell.find_element(By.CSS_SELECTOR, ".heat-n").text)
    click_and_wait_for_page(browser, cell)
    assert browser.title.startswith("Visits: ")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table tbody tr")) == min(visits, 500)
    assert_accessible(browser, "visits behind a cell")

    browser.get(BASE_URL + "/insights/feedback")
    assert len(browser.find_elements(By.CSS_SELECTOR, "table tbody tr")) == 3
    assert_accessible(browser, "feedback and coverage")
    shoot("22-feedback-coverage")


def test_district_leader_reads_learning_trends(browser, shoot):
    sign_in(browser, DISTRICT_LEADER)
    browser.get(BASE_URL + "/insights/learning?subject=Mathematics")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Learning trends"))
    assert browser.find_elements(By.CSS_SELECTOR, "table.heatmap tbody tr")
    assert "Candidate problems of learning" in browser.page_source
    assert_accessible(browser, "learning trends")
    shoot("23-learning-trends")


def test_district_leader_reads_equity_gaps(browser, shoot):
    sign_in(browser, DISTRICT_LEADER)
    browser.get(BASE_URL + "/insights/equity?subject=Mathematics")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Equity"))
    assert "Gaps to close" in browser.page_source
    assert browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert_accessible(browser, "equity")
    shoot("24-equity")


def test_principal_reads_practice_and_growth(browser, shoot):
    sign_in(browser, "jada.green@cedarvalley.example.org")
    browser.get(BASE_URL + "/insights/practice-and-growth")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Practice and growth"))
    assert "Correlation, not proof." in browser.page_source
    assert len(browser.find_elements(By.CSS_SELECTOR, "table tbody tr")) == 14
    assert_accessible(browser, "practice and growth")
    shoot("25-practice-and-growth")


def test_on_a_phone_the_top_bar_stays_small_and_tables_keep_their_labels(browser, shoot):
    sign_in(browser, "jada.green@cedarvalley.example.org")
    browser.set_window_size(390, 844)
    try:
        browser.get(BASE_URL + "/walkthroughs/coverage")
        # The pages scroll sideways on one line under the brand (the bar took 370 of 844 px), the current one in view.
        assert browser.find_element(By.CSS_SELECTOR, ".topbar").size["height"] <= 110
        strip = browser.find_element(By.CSS_SELECTOR, ".topbar nav")
        current = browser.find_element(By.CSS_SELECTOR, '.topbar nav a[aria-current="page"]')
        left = strip.location["x"]
        assert left <= current.location["x"] and current.location["x"] + current.size["width"] <= left + strip.size["width"] + 1
        # The table keeps its column labels (it scrolls sideways instead of dropping them).
        header = browser.find_element(By.CSS_SELECTOR, "table thead")
        assert header.is_displayed() and "Teacher" in header.text.title()
        assert_accessible(browser, "coverage on a phone")
        shoot("26-coverage-phone", width=390)
    finally:
        browser.set_window_size(1280, 900)
