"""A principal signs in, opens the school roster, opens a student; axe finds no serious or critical problems."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ADMIN, BASE_URL, PRINCIPAL, TEACHER, assert_accessible, sign_in


def test_principal_opens_roster_and_student(browser, shoot):
    browser.get(BASE_URL + "/signin")
    assert_accessible(browser, "sign-in")
    shoot("01-sign-in")
    shoot("01-sign-in-phone", width=360)

    sign_in(browser, PRINCIPAL)
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Good to see you")
    assert "Principal" in browser.page_source
    assert_accessible(browser, "home")
    shoot("02-home-principal")

    browser.find_element(By.LINK_TEXT, "Open the roster").click()
    WebDriverWait(browser, 10).until(lambda d: "roster" in d.title)
    assert "students" in browser.find_element(By.CSS_SELECTOR, ".result-count").text
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert len(rows) == 50
    assert_accessible(browser, "roster")
    shoot("03-roster")
    shoot("03-roster-phone", width=360)

    browser.find_element(By.ID, "program").send_keys("English learner")
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    WebDriverWait(browser, 10).until(lambda d: "program=el" in d.current_url)
    filtered = int(browser.find_element(By.CSS_SELECTOR, ".result-count").text.split()[0])
    assert 0 < filtered < 554

    browser.find_element(By.CSS_SELECTOR, "table tbody tr td a").click()
    WebDriverWait(browser, 10).until(lambda d: "/students/" in d.current_url)
    assert "Mastery by standard" in browser.page_source
    assert "Student ID" in browser.find_element(By.CSS_SELECTOR, ".lede").text
    assert "English learner" in browser.page_source
    assert_accessible(browser, "student profile")
    shoot("04-student")
    shoot("04-student-phone", width=360)


def test_principal_sees_reading_and_assessment_frequency(browser, shoot):
    sign_in(browser, PRINCIPAL)
    browser.get(BASE_URL + "/schools/school-1")
    browser.find_element(By.LINK_TEXT, "Reading at grade level").click()
    WebDriverWait(browser, 10).until(lambda d: "Reading at grade level" in d.title)
    assert "%" in browser.find_element(By.CSS_SELECTOR, "table tbody").text
    assert_accessible(browser, "reading")
    shoot("23-reading")
    browser.get(BASE_URL + "/schools/school-1/assessment-frequency")
    assert_accessible(browser, "assessment frequency")
    shoot("24-assessment-frequency")


def test_principal_edits_the_school_vision(browser, shoot):
    sign_in(browser, PRINCIPAL)
    browser.get(BASE_URL + "/vision/school-1")
    assert "every student grows" in browser.page_source
    assert_accessible(browser, "vision")
    shoot("25-vision")
    browser.find_element(By.LINK_TEXT, "Edit").click()
    WebDriverWait(browser, 10).until(lambda d: "/edit" in d.current_url)
    assert_accessible(browser, "vision editor")
    field = browser.find_element(By.ID, "vision")
    field.clear()
    field.send_keys("Every child at Lincoln reads, reasons and belongs.")
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: "reads, reasons and belongs" in d.page_source)
    assert "Version 2" in browser.page_source


def test_teacher_is_refused_the_school_roster(browser):
    sign_in(browser, TEACHER)
    assert "Your classes" in browser.page_source
    school_link = "/schools/school-1"
    browser.get(BASE_URL + school_link)
    assert "Not allowed" in browser.find_element(By.TAG_NAME, "h1").text


def test_district_admin_manages_people_and_imports(browser, shoot):
    sign_in(browser, ADMIN)
    assert "District admin" in browser.page_source
    shoot("05-home-district-admin")
    browser.find_element(By.LINK_TEXT, "Admin").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Administration"))
    assert_accessible(browser, "administration")
    shoot("05-admin")

    browser.get(BASE_URL + "/admin/people?q=green")
    assert "Jada Green" in browser.page_source
    assert_accessible(browser, "people")
    shoot("06-people")
    browser.find_element(By.LINK_TEXT, "Jada Green").click()
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Jada Green"))
    assert "Principal · Lincoln Elementary School" in browser.page_source
    assert_accessible(browser, "person")
    shoot("06-person")

    browser.get(BASE_URL + "/admin/import")
    assert_accessible(browser, "import")
    shoot("07-import")

    browser.get(BASE_URL + "/admin/frameworks")
    assert "Lodestar Core Practices" in browser.page_source
    assert_accessible(browser, "frameworks")
    shoot("08-frameworks")

    browser.find_element(By.LINK_TEXT, "Edit").click()
    WebDriverWait(browser, 10).until(lambda d: "/edit" in d.current_url)
    assert browser.find_element(By.ID, "d0_i0_shortName").get_attribute("value") == "Clear learning target"
    assert_accessible(browser, "framework editor")
    shoot("09-framework-editor")
