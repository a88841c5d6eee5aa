"""The audit trail and a student's records, as a district admin sees them: a principal opens a student's
profile and a district leader exports a school's students; the admin finds both in the audit trail and in
the notices on the Administration page, then opens the student's records page. axe finds no serious or
critical problems. Nothing is deleted here (the deletion is tested in the Swift suite)."""
from selenium.webdriver.common.by import By

from conftest import ADMIN, BASE_URL, PRINCIPAL, assert_accessible, click_and_wait_for_page, sign_in, sign_out

DISTRICT_LEADER = "angela.brooks@cedarvalley.example.org"


def test_district_admin_reads_the_audit_trail_and_a_students_records(browser, shoot):
    sign_in(browser, PRINCIPAL)
    browser.get(BASE_URL + "/schools/school-1")
    student_link = browser.find_element(By.CSS_SELECTOR, "a[href^='/students/']")
    student_path = student_link.get_attribute("href").replace(BASE_URL, "")
    click_and_wait_for_page(browser, student_link)
    student_id = student_path.split("/")[2]
    sign_out(browser)

    sign_in(browser, DISTRICT_LEADER)
    browser.get(BASE_URL + "/schools/school-1")
    export = browser.find_element(By.XPATH, "//a[text()='Students and mastery (CSV)']")
    assert export.get_attribute("href").endswith("/schools/school-1/students.csv")
    browser.get(export.get_attribute("href"))  # a download: the page stays
    sign_out(browser)

    sign_in(browser, ADMIN)
    browser.get(BASE_URL + "/admin")
    notices = browser.find_element(By.CSS_SELECTOR, "section.export-notices").text
    assert "exported student-level data: students-school-1.csv" in notices and DISTRICT_LEADER in notices
    assert_accessible(browser, "administration with export notices")
    shoot("40-admin-export-notices")

    click_and_wait_for_page(browser, browser.find_element(By.XPATH, "//h2[text()='Audit trail']/.."))
    browser.find_element(By.ID, "person").send_keys(PRINCIPAL)
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "table tbody tr")]
    assert any("viewed student profile" in row and student_id in row for row in rows)
    assert any("signed in" in row for row in rows)
    assert browser.find_element(By.PARTIAL_LINK_TEXT, "Download these as CSV").get_attribute("href").endswith("/admin/audit.csv?person=" + PRINCIPAL)
    assert_accessible(browser, "audit trail")
    shoot("41-audit-trail")

    browser.get(BASE_URL + student_path)
    click_and_wait_for_page(browser, browser.find_element(By.LINK_TEXT, "Records, export and deletion"))
    assert browser.title.startswith("Records of")
    parts = {row.find_elements(By.TAG_NAME, "td")[0].text: int(row.find_elements(By.TAG_NAME, "td")[1].text)
             for row in browser.find_elements(By.CSS_SELECTOR, "table tbody tr")}
    assert parts["Student record"] == 1 and parts["Classes"] > 0 and parts["Access log: who opened or exported these records"] >= 1
    assert browser.find_element(By.LINK_TEXT, "Download everything (zip of CSV and JSON)").get_attribute("href").endswith(f"/students/{student_id}/records.zip")
    assert_accessible(browser, "student records")
    shoot("42-student-records")
