"""Haven in WebKit, the engine of Safari on the iPads that most school staff carry."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.e2e

SERVICE_WORKER_READY = """
const done = arguments[arguments.length - 1];
navigator.serviceWorker.ready
  .then((registration) => done(Boolean(registration.active)))
  .catch((error) => done(String(error)));
"""


def test_dina_signs_in_and_the_service_worker_registers_in_webkit(webkit_driver, live_server):
    driver = webkit_driver
    dina = live_server.dina
    wait = WebDriverWait(driver, 15)

    driver.get(live_server.url("/"))
    email = wait.until(lambda d: d.find_element(By.ID, "email"))
    email.send_keys(dina.email)
    # ENTER submits the form; a typed "\n" does not in WebKitGTK.
    driver.find_element(By.ID, "password").send_keys(dina.password, Keys.ENTER)

    name = wait.until(
        lambda d: (d.find_elements(By.CSS_SELECTOR, "[data-testid=user-name]") or [None])[0]
    )
    assert name.text == dina.name
    school = driver.find_element(By.CSS_SELECTOR, "[data-testid=school-name]")
    assert school.text == "Oakfield Primary"
    assert driver.find_element(By.CSS_SELECTOR, "[data-testid=key-holder]").text == "Yes"

    assert driver.execute_async_script(SERVICE_WORKER_READY) is True
