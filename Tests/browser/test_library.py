"""The principal shares a library resource with a teacher from the feedback of a walkthrough; the teacher finds it on
her Today page, opens it and rates it; she adds a note of her own, which waits for approval. axe finds no serious or
critical problems on the library's pages or the walkthrough."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import BASE_URL, assert_accessible, click_and_wait_for_page, sign_in, sign_out


def test_a_principal_shares_a_resource_from_feedback(browser, shoot):
    sign_in(browser, "jada.green@cedarvalley.example.org")
    browser.get(BASE_URL + "/walkthroughs")
    browser.find_element(By.CSS_SELECTOR, "details.filter-box summary").click()
    Select(browser.find_element(By.ID, "f-teacher")).select_by_visible_text("Nora Washington")
    click_and_wait_for_page(browser, browser.find_element(By.ID, "f-teacher").find_element(By.XPATH, "ancestor::form//button[@type='submit']"))
    link = browser.find_element(By.CSS_SELECTOR, ".feed-head a[href^='/walkthroughs/']")
    click_and_wait_for_page(browser, link)
    WebDriverWait(browser, 10).until(lambda d: d.title.startswith("Walkthrough of Nora Washington"))
    panel = browser.find_element(By.ID, "library")
    first = panel.find_element(By.TAG_NAME, "li")
    title = first.find_element(By.TAG_NAME, "a").text
    assert_accessible(browser, "a walkthrough with library suggestions")
    click_and_wait_for_page(browser, first.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert f"“{title}” is shared with Nora Washington." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    shoot("95-walkthrough-library")
    sign_out(browser)

    sign_in(browser, "nora.washington@cedarvalley.example.org")
    shared = browser.find_element(By.ID, "shared-with-you")
    assert title in shared.text
    click_and_wait_for_page(browser, shared.find_element(By.LINK_TEXT, title))
    Select(browser.find_element(By.ID, "rating")).select_by_value("4")
    click_and_wait_for_page(browser, browser.find_element(By.ID, "rating").find_element(By.XPATH, "ancestor::form//button"))
    assert "Rated 4 of 5 and saved." in browser.find_element(By.CSS_SELECTOR, "p.notice").text
    assert_accessible(browser, "a library resource")
    shoot("96-library-item-phone", width=390)

    # Her own note waits for a leader of her school.
    browser.get(BASE_URL + "/library")
    form = browser.find_element(By.ID, "add").find_element(By.TAG_NAME, "form")
    form.find_element(By.ID, "kind-note").click()
    form.find_element(By.ID, "title").send_keys("Partner reading routine")
    form.find_element(By.ID, "note").send_keys("Partners take turns by page; the listener asks one question at the end.")
    form.find_element(By.TAG_NAME, "summary").click()
    form.find_element(By.ID, "practice_routines").click()
    form.find_element(By.ID, "band_0").click()
    assert_accessible(browser, "the practice library")
    shoot("97-library")
    click_and_wait_for_page(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "waits for a leader of your school to approve it" in browser.find_element(By.CSS_SELECTOR, "p.notice").text
    assert "waiting for approval" in browser.page_source
