"""A teacher on a hiring committee finds the candidates waiting for her on Today, rates one at screening on every
criterion of the profile, and only then sees the committee's ratings. A principal opens an induction plan and starts
one for the teacher new this year. A district leader writes the coach profile. axe finds no serious or critical problems."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BASE_URL, TEACHER, assert_accessible, click_and_wait_for_page, sign_in


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
    # The teacher the roster shows new this year, with no plan: Today asks, the induction page starts it in one step.
    browser.get(BASE_URL + "/")
    assert "1 teacher new to your school this year has no induction plan yet." in browser.page_source
    browser.find_element(By.LINK_TEXT, "Start their plans").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Induction"))
    newcomer = browser.find_element(By.CSS_SELECTOR, "li[data-newcomer] form")
    name = newcomer.find_element(By.TAG_NAME, "strong").text
    shoot("76-induction-newcomer-phone", width=390)
    click_and_wait_for_page(browser, newcomer.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Induction: "))
    assert name in browser.page_source and "Check-in at 30 days" in browser.page_source


def test_a_district_leader_writes_the_coach_profile(browser, shoot):
    sign_in(browser, "angela.brooks@cedarvalley.example.org")
    browser.get(BASE_URL + "/hiring")
    browser.find_element(By.LINK_TEXT, "The district's hiring profiles").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Hiring profiles"))
    form = browser.find_element(By.ID, "profile-coach").find_element(By.TAG_NAME, "form")
    form.find_element(By.NAME, "name").send_keys("Instructional coach")
    form.find_element(By.NAME, "criteria").send_keys("Coaches adults: Has led coaching cycles that changed practice.\nReads data: Chooses a focus from student work.")
    click_and_wait_for_page(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "The instructional coach profile is saved." in browser.page_source
    coach = browser.find_element(By.ID, "profile-coach")
    assert "no profile yet" not in coach.text
    assert "Reads data: Chooses a focus from student work." in coach.find_element(By.NAME, "criteria").get_attribute("value")
    assert_accessible(browser, "hiring profiles")
    shoot("77-hiring-profiles")

