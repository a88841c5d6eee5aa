"""A teacher on a hiring committee finds the candidates waiting for her on Today, rates one at screening on every
criterion of the profile, and only then sees the committee's ratings. axe finds no serious or critical problems."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import TEACHER, assert_accessible, click_and_wait_for_page, sign_in


def test_a_committee_member_rates_a_candidate(browser, shoot):
    sign_in(browser, TEACHER)
    assert "You sit on the hiring committee for 1 open position" in browser.page_source
    browser.find_element(By.LINK_TEXT, "Rate candidates").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Hiring"))
    browser.find_element(By.LINK_TEXT, "Grade 3 teacher").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Hiring: Grade 3 teacher"))
    assert_accessible(browser, "an opening")
    shoot("70-hiring-opening")
    browser.find_element(By.LINK_TEXT, "Priya Raman").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Candidate: Priya Raman"))
    screening = browser.find_element(By.ID, "step-0").find_element(By.XPATH, "..")
    assert "Rate this step on your own first" in screening.text
    form = screening.find_element(By.CSS_SELECTOR, "form.rating-form")
    for criterion in form.find_elements(By.CSS_SELECTOR, ".criterion"):
        criterion.find_element(By.CSS_SELECTOR, "input[type=radio][value='3']").click()
        criterion.find_element(By.CSS_SELECTOR, "textarea").send_keys("Clear plan from the standard; checked twice for understanding.")
    click_and_wait_for_page(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    screening = browser.find_element(By.ID, "step-0").find_element(By.XPATH, "..")
    assert "1 of 4 members have rated this step" in screening.text
    assert "Nora Washington: 3 · Solid. Clear plan from the standard" in screening.text
    assert "1 rating, all at 3" in screening.text
    assert_accessible(browser, "a candidate")
    shoot("71-hiring-candidate")
    shoot("72-hiring-candidate-phone", width=390)


def test_a_principal_opens_an_induction_plan(browser, shoot):
    from conftest import PRINCIPAL
    sign_in(browser, PRINCIPAL)
    assert "due within a week or overdue for your new teachers" in browser.page_source
    browser.find_element(By.LINK_TEXT, "Open induction").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Induction"))
    assert "still teaches here" in browser.page_source
    assert_accessible(browser, "induction")
    shoot("73-induction")
    overdue = browser.find_element(By.CSS_SELECTOR, "tr.overdue th a")
    click_and_wait_for_page(browser, overdue)
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Induction: "))
    assert "Check-in at 60 days" in browser.page_source and "overdue" in browser.page_source
    item = browser.find_element(By.CSS_SELECTOR, "li.overdue form")
    item.find_element(By.CSS_SELECTOR, "input[name=note]").send_keys("Settling in; wants to watch a colleague's small groups.")
    click_and_wait_for_page(browser, item.find_element(By.CSS_SELECTOR, "button"))
    assert "“Check-in at 60 days” is done." in browser.page_source
    assert_accessible(browser, "an induction plan")
    shoot("74-induction-plan")
    shoot("75-induction-plan-phone", width=390)
