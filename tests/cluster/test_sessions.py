"""Sessions and CSRF behind the load balancer: an organiser signed in through HAProxy stays
signed in on every server, and the admin's CSRF-protected forms are accepted whichever server
shows the form and whichever takes the POST."""

from __future__ import annotations

import re
import urllib.parse
from http.cookies import SimpleCookie

import pytest

from tests.cluster.conftest import request

pytestmark = pytest.mark.cluster

TAG_ADD = "/admin/exhibitors/tag/add/"
FORM_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """Cookies kept from answer to answer, as a browser keeps them."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def call(self, base: str, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = base
        status, answer_headers, raw = request(base, method, path, body=body, headers=headers)
        for line in answer_headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return status, answer_headers, raw

    def form_token(self, base: str, path: str) -> str:
        status, _headers, raw = self.call(base, "GET", path)
        assert status == 200, raw[:300]
        return FORM_TOKEN.search(raw).group(1).decode()


def signed_in(cluster) -> Browser:
    browser = Browser()
    token = browser.form_token(cluster.address, "/admin/login/")
    status, headers, raw = browser.call(
        cluster.address,
        "POST",
        "/admin/login/",
        {
            "csrfmiddlewaretoken": token,
            "username": cluster.admin["username"],
            "password": cluster.admin["password"],
            "next": "/admin/",
        },
    )
    assert (status, headers["Location"]) == (302, "/admin/"), raw[:300]
    assert "sessionid" in browser.cookies
    return browser


def add_tag(browser: Browser, base: str, code: str):
    token = browser.form_token(base, TAG_ADD)
    form = {"csrfmiddlewaretoken": token, "code": code, "name_en": code, "name_zh": code}
    return browser.call(base, "POST", TAG_ADD, form | {"position": "0"})


def test_a_session_and_its_csrf_token_are_good_on_every_server(cluster):
    browser = signed_in(cluster)
    before = cluster.requests_by_server()
    # Through HAProxy: each form is shown by one server and posted to the next one.
    for i in range(6):
        status, headers, raw = add_tag(browser, cluster.address, f"cl-lb-{i}")
        assert (status, headers["Location"]) == (302, "/admin/exhibitors/tag/"), raw[:500]
    after = cluster.requests_by_server()
    assert all(after[name] > before[name] for name in cluster.servers), (before, after)
    assert cluster.world("tags", "cl-lb-") == 6
    # Each server on its own, with the cookies HAProxy's servers gave.
    for name, port in cluster.servers.items():
        base = f"http://127.0.0.1:{port}"
        status, _headers, raw = browser.call(base, "GET", "/admin/")
        assert status == 200, (name, raw[:300])
        status, headers, raw = add_tag(browser, base, f"cl-{name}")
        assert (status, headers["Location"]) == (302, "/admin/exhibitors/tag/"), raw[:500]
    assert cluster.world("tags", "cl-web") == len(cluster.servers)


def test_a_post_without_the_csrf_token_is_refused_behind_the_load_balancer(cluster):
    browser = signed_in(cluster)
    form = {"code": "cl-forged", "name_en": "x", "name_zh": "x", "position": "0"}
    for _ in cluster.servers:
        status, _headers, _raw = browser.call(cluster.address, "POST", TAG_ADD, form)
        assert status == 403
    assert cluster.world("tags", "cl-forged") == 0


def test_signing_out_on_one_server_signs_out_on_every_server(cluster):
    browser = signed_in(cluster)
    first, *others = cluster.servers.values()
    for port in cluster.servers.values():
        assert browser.call(f"http://127.0.0.1:{port}", "GET", "/admin/")[0] == 200
    token = browser.form_token(f"http://127.0.0.1:{first}", "/admin/")
    status, _headers, raw = browser.call(
        f"http://127.0.0.1:{first}", "POST", "/admin/logout/", {"csrfmiddlewaretoken": token}
    )
    assert status == 200, raw[:300]
    for port in others:
        status, headers, _raw = browser.call(f"http://127.0.0.1:{port}", "GET", "/admin/")
        assert status == 302
        assert headers["Location"].startswith("/admin/login/")
