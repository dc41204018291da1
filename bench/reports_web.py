"""bench/reports.py's HTTP side before the load: signing the organiser in as a browser does (the
admin's login form, its CSRF cookie and token, then the session cookie), and each address's
answer checked against what the probe read from the database."""

from __future__ import annotations

import http.client
import json
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from benchlib import BenchError

EXPO = "sce-2019"


def _request(port: int, method: str, path: str, headers: dict, body: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def _cookies(headers) -> dict[str, str]:
    jar = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    return {k: m.value for k, m in jar.items()}


def login(port: int, username: str, password: str) -> str:
    """The `Cookie` header of an organiser signed in through `/admin/login/`."""
    status, headers, body = _request(port, "GET", "/admin/login/", {})
    csrf = _cookies(headers).get("csrftoken")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not csrf or not token:
        raise BenchError(f"the admin's login page answered {status} without a CSRF token")
    form = urlencode(
        {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": username,
            "password": password,
            "next": "/admin/",
        }
    )
    status, headers, _ = _request(
        port,
        "POST",
        "/admin/login/",
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
        form,
    )
    session = _cookies(headers).get("sessionid")
    if status != 302 or not session:
        raise BenchError(f"signing in answered {status} without a session cookie")
    return f"csrftoken={csrf}; sessionid={session}"


def _get(port: int, path: str, cookie: str | None):
    headers = {"Accept-Language": "en"}
    if cookie:
        headers["Cookie"] = cookie
    status, _, body = _request(port, "GET", path, headers)
    return status, body


def check_answers(port: int, cookie: str, probe: dict) -> dict[str, bool]:
    """Each address answered once and its figures compared with the database's (`probe`)."""
    facts = probe["facts"]
    base = f"/expos/{EXPO}/reports"
    checks: dict[str, bool] = {}
    status, _ = _get(port, f"{base}/dashboard/data.json", None)
    checks["dashboard data.json without a session: 401"] = status == 401
    status, body = _get(port, f"{base}/dashboard/data.json", cookie)
    data = json.loads(body) if status == 200 else {}
    figures = data.get("figures", {})
    checks["dashboard data.json: 200, figures and every section's HTML"] = status == 200 and set(
        data.get("sections", {})
    ) >= {"registrations", "halls", "deals"}
    regs = figures.get("registrations", {})
    checks[
        f"dashboard: ticket-days sold = the quotas' {facts['ticket_days_sold']:,} "
        f"({facts['registrations']:,} registrations)"
    ] = regs.get("total", {}).get("sold") == facts["ticket_days_sold"]
    day = figures.get("admissions", {})
    checks[f"dashboard: today ({day.get('day')}) is day 3 and has admissions"] = (
        day.get("day") == "2019-08-28" and day.get("total", 0) > 0
    )
    halls = figures.get("halls", {}).get("halls", [])
    checks[f"dashboard: {facts['zones'].get('hall', 0)} halls, people in them"] = (
        len(halls) == facts["zones"].get("hall") and sum(h.get("count", 0) for h in halls) > 0
    )
    booking = figures.get("bookings", {})
    checks["dashboard: booking curve against the previous edition"] = bool(
        booking.get("previous") and booking["previous"].get("booked")
    )
    activity = figures.get("activity", {})
    checks["dashboard: forums with reservations, meetings held, leads"] = (
        activity.get("forums", {}).get("reserved", 0) > 0
        and activity.get("meetings", {}).get("held", 0) > 0
        and activity.get("leads", {}).get("total", 0) > 0
    )
    checks["dashboard: the deals tally"] = (figures.get("deals") or {}).get("projects", 0) > 0
    status, body = _get(port, f"{base}/dashboard/", cookie)
    checks["dashboard page: 200, the page with its config"] = (
        status == 200 and b'id="dashboard-config"' in body
    )
    status, body = _get(port, f"{base}/screen/data.json", None)
    screen = json.loads(body) if status == 200 else {}
    visitors = screen.get("visitors", {})
    checks[f"screen data.json (public): 200, visitors today {visitors.get('today', 0):,}"] = (
        status == 200 and visitors.get("today", 0) > 0 and visitors.get("day") == "2019-08-28"
    )
    return checks
