"""The principal reads who received the school's tutoring seats (a group furthest behind flagged below its share of need),
records tutoring for English learners with the decision behind it, and changes it with a reason the log keeps. A coach
reads the ledger but has no form to allocate; a district leader compares schools. axe finds no serious or critical
problems."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import BASE_URL, assert_accessible, click_and_wait_for_page, sign_in, sign_out


def test_the_principal_reads_the_equity_view_and_records_an_allocation(browser, shoot):
    sign_in(browser, "jada.green@cedarvalley.example.org")
    browser.find_element(By.LINK_TEXT, "Resources").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Resources"))
    browser.find_element(By.LINK_TEXT, "Lincoln Elementary School").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Resources at Lincoln"))
    assert "Professional-learning funds: 18,000 dollars in 1 allocation" in browser.find_element(By.ID, "allocations").text
    counted = browser.find_element(By.ID, "counted").text
    assert "Coaching" in counted and "30 minutes each" in counted
    assert_accessible(browser, "the ledger")
    shoot("90-resource-ledger")

    # Who received the tutoring seats: gifted students most; at least one group in need is below its share of need.
    browser.find_element(By.XPATH, "//li[contains(., 'Tutoring seats')]/a").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Equity of tutoring seats"))
    assert int(browser.find_element(By.CSS_SELECTOR, "[data-flagged]").get_attribute("data-flagged")) >= 1
    gifted = browser.find_element(By.XPATH, "//tr[th[@scope='row' and .='Gifted']]")
    share_received = int(gifted.find_elements(By.TAG_NAME, "td")[3].text.rstrip("%"))
    assert share_received > 50
    assert browser.find_elements(By.CSS_SELECTOR, "tr.flagged")
    assert "Groups of fewer than 10 students are hidden" in browser.find_element(By.ID, "rule").text
    assert_accessible(browser, "the equity view")
    shoot("91-resource-equity")
    shoot("92-resource-equity-phone", width=390)

    # Tutoring for English learners, with who decided, the evidence and the reason.
    browser.find_element(By.LINK_TEXT, "Lincoln Elementary School").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Resources at Lincoln"))
    form = browser.find_element(By.ID, "allocate").find_element(By.TAG_NAME, "form")
    Select(form.find_element(By.ID, "kind")).select_by_visible_text("Tutoring seats (seats)")
    form.find_element(By.ID, "amount").send_keys("25")
    form.find_element(By.ID, "funding").send_keys("Title III")
    Select(form.find_element(By.ID, "reaches")).select_by_visible_text("Student group: English learners")
    form.find_element(By.ID, "decided-by").send_keys("The leadership team")
    form.find_element(By.ID, "evidence").send_keys(browser.current_url.replace(BASE_URL, "").split("?")[0] + "/equity")
    form.find_element(By.ID, "reason").send_keys("Tutoring has not followed need.")
    click_and_wait_for_page(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "25 seats of tutoring seats is on the ledger" in browser.find_element(By.CSS_SELECTOR, "p.notice").text
    row = browser.find_element(By.XPATH, "//tr[td[contains(., 'Title III')]]")
    assert "Student group: English learners" in row.text and "25 seats" in row.text

    # Changed, with the reason kept in the log.
    click_and_wait_for_page(browser, row.find_element(By.TAG_NAME, "a"))
    change = browser.find_element(By.ID, "change").find_element(By.TAG_NAME, "form")
    amount = change.find_element(By.ID, "amount")
    amount.clear()
    amount.send_keys("35")
    change.find_element(By.ID, "change-reason").send_keys("Ten more newcomers enrolled.")
    click_and_wait_for_page(browser, change.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "Amount 25 → 35. Why: Ten more newcomers enrolled." in browser.find_element(By.ID, "log").text
    assert browser.find_element(By.CSS_SELECTOR, "[data-amount]").text == "35 seats"
    assert_accessible(browser, "an allocation")
    shoot("93-allocation-phone", width=390)


def test_a_coach_reads_and_a_district_leader_compares(browser, shoot):
    sign_in(browser, "linh.green@cedarvalley.example.org")
    browser.get(BASE_URL + "/resources/schools/school-1")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Resources at Lincoln"))
    assert not browser.find_elements(By.ID, "allocate")
    sign_out(browser)
    sign_in(browser, "angela.brooks@cedarvalley.example.org")
    browser.get(BASE_URL + "/resources")
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Resources"))
    table = browser.find_element(By.ID, "across-schools")
    assert len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == 4  # three schools and the district
    assert_accessible(browser, "resources across schools")
    shoot("94-resources-across-schools")
