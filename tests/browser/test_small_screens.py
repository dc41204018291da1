"""Every public page fits a phone (issue 13, defect 7): at 360 × 740 no page scrolls sideways,
in English or in Chinese, and the header leaves the screen to the page.

The pages are those of a `smartexpo serve` of this module's own (tests/live_server.py), seeded
once with the demo's two editions and ticket types, a visitor's tickets, a sold-out day with a
waiting-list offer, an organiser and a gate scanner. The list of pages is held to the URLconf:
every pattern is either visited here or excluded with its reason, so a new page cannot be
skipped without saying so.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import expect

from tests import live_server

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# The header may take an eighth of a phone's screen: a row for the edition's name, the menu
# button and the language switch (issue 13 measured 245 px of 844 before).
HEADER_MAX = PHONE["height"] / 8
EDITION = "sce-2019"
PASSWORD = "small-screens-test-password"

WORLD = textwrap.dedent(
    f"""
    import json
    import django
    django.setup()
    from django.contrib.auth import get_user_model
    from smartexpo.demo.seed import demo_seed
    from smartexpo.demo.visitors import demo_ticket_types
    from smartexpo.devices.services import device_create
    from smartexpo.exhibitors.models import Exhibitor, ExhibitorStatus
    from smartexpo.tickets.identity import resident_check_digit
    from smartexpo.tickets.models import DayQuota
    from smartexpo.tickets.services.cancellation import registration_cancel
    from smartexpo.tickets.services.registration import registration_create
    from smartexpo.tickets.services.waitlist import offer_token, waitlist_join
    from smartexpo.venue.models import Expo, Gate
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_encode
    from smartexpo.exhibitors.members import invitation_create
    from smartexpo.exhibitors.services import showcase_item_add
    from smartexpo.exhibitors.models import ExhibitorMember

    demo_seed()
    expo = Expo.objects.get(slug={EDITION!r})
    types = demo_ticket_types(expo)
    days = [day.isoformat() for day in expo.days]

    # The last day of the day ticket sells out; its one place is given up and offered to the
    # first person waiting.
    DayQuota.objects.filter(ticket_type=types["public-day"], day=days[-1]).update(size=1)
    held = registration_create(
        expo=expo, ticket_type="public-day", days=[days[-1]], name="Li Wei",
        email="li.wei@example.cn",
    )
    waiting = waitlist_join(
        expo=expo, ticket_type="public-day", day=days[-1], name="Zhang Xiaoming",
        email="zhang.xiaoming@example.cn",
    )
    registration_cancel(registration=held.registration)
    waiting.refresh_from_db()

    # A visitor with a long name, a long address and a pass for every day.
    first17 = "11010519900101123"
    visitor = registration_create(
        expo=expo, ticket_type="professional", days=days,
        name="Maximiliana Featherstonehaugh-Wolfeschlegelsteinhausen",
        email="maximiliana.featherstonehaugh-wolfeschlegelsteinhausen@procurement.example.com",
        id_type="resident", id_number=first17 + resident_check_digit(first17),
    )

    # The exhibitor with the longest name among those with a booth, and that booth's hall.
    exhibitor = max(
        Exhibitor.objects.filter(
            expo=expo, status=ExhibitorStatus.APPROVED, booth_assignments__isnull=False
        ).distinct(),
        key=lambda e: (len(e.name_en), e.pk),
    )
    booth = exhibitor.booth_assignments.select_related("booth__hall").first().booth

    get_user_model().objects.create_user("ops", password={PASSWORD!r}, is_staff=True)
    # The exhibitor's administrator in the portal, with a long address, and a password-reset
    # link of theirs.
    email = "maximiliana.featherstonehaugh-wolfeschlegelsteinhausen@exhibitor.example.com"
    member = get_user_model().objects.create_user(email, email=email, password={PASSWORD!r})
    ExhibitorMember.objects.create(user=member, exhibitor=exhibitor, role="admin")
    # A staff pass the exhibitor issued and an API token of its own, for their pages.
    from smartexpo.core.tokens import token_create
    from smartexpo.tickets.services.restricted import staff_pass_issue
    staff_pass = staff_pass_issue(
        exhibitor=exhibitor, name="Maximiliana Featherstonehaugh-Wolfeschlegelsteinhausen",
        email=email,
    )
    api_token, _raw = token_create(
        role="exhibitor", name="Customer relationship management synchronisation",
        exhibitor=exhibitor,
    )
    # A booth device of the exhibitor, and the lead it captured of the visitor, who shares
    # their long name and address.
    from smartexpo.leads.selectors import Capturer
    from smartexpo.leads.services.capture import LeadFields, lead_capture
    from smartexpo.leads.services.devices import lead_device_create
    from smartexpo.tickets.models import Registration
    Registration.objects.filter(pk=visitor.registration.pk).update(
        share=["name", "email", "company", "title"],
        company="Featherstonehaugh Substation Automation Holdings", title="Head of procurement",
    )
    booth_device, booth_token = lead_device_create(
        expo=expo, exhibitor=exhibitor, name="Maximiliana's phone at the north entrance",
    )
    lead, _new = lead_capture(
        expo=expo, capturer=Capturer(exhibitor, booth_device), secret=visitor.secrets[0],
        fields=LeadFields(
            note="Wants inspection robots for forty-two substations; call after the expo.",
            rating=5, tags=["procurement", "substation-automation-inspection-robots"],
        ),
    )
    # The edition's recommender, so that the suggestions page and the agenda show their lists.
    from smartexpo.recommend.services.building import recommender_build
    recommender_build(expo=expo)
    portal = {{
        "lead": lead.pk, "lead_device": booth_device.pk, "booth": booth_token,
        "staff_pass": staff_pass.registration.pk, "api_token": api_token.pk,
        "exhibitor_slug": exhibitor.slug, "portal_email": email,
        "reset_uid": urlsafe_base64_encode(str(member.pk).encode()),
        "reset_token": default_token_generator.make_token(member),
        "item": (exhibitor.showcase.first() or showcase_item_add(
            exhibitor=exhibitor, title_en="Autonomous inspection robot for substations",
        )).pk,
        "invitation": invitation_create(
            exhibitor=exhibitor, role="staff",
            email="bartholomew.featherstonehaugh-wolfeschlegelsteinhausen@exhibitor.example.com",
        )[1],
    }}
    # The forum programme: the demo's, or else a small one with long titles and names; the
    # visitor holds a seat at one session and stars another.
    import datetime as dt
    from smartexpo.programme.models import Release
    from smartexpo.programme.selectors import published_programme
    from smartexpo.programme.services.editing import forum_create, session_create, speaker_create
    from smartexpo.programme.services.publishing import programme_publish
    from smartexpo.programme.services.reservations import favourite_add, reservation_make
    if not Release.objects.filter(expo=expo).exists():
        forum_create(
            expo=expo, code="silk-road",
            name_en="Forum on Digital Cooperation along the Silk Road",
            name_zh="“一带一路”数字经济合作论坛",
        )
        speaker = speaker_create(
            expo=expo, name_en="Maximiliana Featherstonehaugh-Wolfeschlegelsteinhausen",
            name_zh="欧阳明月",
            affiliation_en="Chongqing Institute of Intelligent Manufacturing and Industrial "
            "Internet Research",
            bio_en="Works on cross-border data flows.",
        )
        first = dt.datetime.combine(expo.starts_on, dt.time(9, 30), tzinfo=expo.tz)
        for n, room in enumerate(["R-MAIN", "R-SILK", "R-AI", "R-5G", "R-M1", "R-M2"]):
            session_create(
                expo=expo, forum="silk-road", room=room, format="panel",
                title_en="Interconnection and intelligent manufacturing: cross-border data "
                "flows along the New International Land-Sea Trade Corridor",
                title_zh="互联互通与智能制造：西部陆海新通道沿线的跨境数据流动",
                starts_at=first + dt.timedelta(minutes=30 * n),
                ends_at=first + dt.timedelta(minutes=30 * n + 45),
                seats=100 if n else None, speakers=[speaker.pk],
            )
        programme_publish(expo=expo, actor="small-screens", confirm=True)
    published = published_programme(expo=expo)
    seated = next(s for s in published.sessions if s["seats"] and s["speakers"])
    reservation_make(registration=visitor.registration, session_id=seated["id"], force=True)
    favourite_add(registration=visitor.registration, session_id=published.sessions[0]["id"])
    programme = {{
        "session": seated["id"], "speaker": seated["speakers"][0]["id"],
        "programme_day": seated["day"],
    }}

    # Signed projects: the demo's, or else two with long titles and names (one elsewhere).
    from smartexpo.deals.models import Deal
    from smartexpo.deals.services.deals import deal_create
    from smartexpo.exhibitors.models import Sector
    if not Deal.objects.filter(expo=expo).exists():
        for n, at_expo in enumerate([True, False]):
            deal_create(expo=expo, data={{
                "title": {{
                    "en": "Intelligent manufacturing base for new-energy vehicle power batteries"
                    " and their recycling along the Land-Sea Trade Corridor",
                    "zh": "西部陆海新通道新能源汽车动力电池及其回收智能制造基地",
                }},
                "sector": Sector.objects.order_by("position").values_list("code", flat=True)[0],
                "kind": "procurement", "amount": "123456789012.34", "at_expo": at_expo,
                "signed_on": str(expo.starts_on),
                "parties": [{{
                    "name": {{"en": "Featherstonehaugh Substation Automation Holdings"}},
                    "country": "CN", "region": "Chongqing", "city": "Chongqing",
                }}],
            }})
    deal = Deal.objects.filter(expo=expo, amount_confidential=False).order_by("pk").first().pk

    gates = list(Gate.objects.filter(expo=expo).order_by("code").values_list("code", flat=True))
    _device, scanner = device_create(
        expo=expo, name="North gate tablet", kind="scanner", gates=gates[:6]
    )
    # A failed report job with a long message, and a daily report email to long addresses.
    import datetime
    from smartexpo.reports.models import ReportJob
    from smartexpo.reports.services.jobs import job_create
    from smartexpo.reports.services.schedules import schedule_create
    failed, _made = job_create(expo=expo, kind="edition-pdf", requested_by="organizer")
    ReportJob.objects.filter(pk=failed.pk).update(
        status="failed", error="CjkFontMissing: " + "the font fonts-wqy-zenhei is missing " * 4
    )
    report_schedule = schedule_create(
        expo=expo, recipients=["board.of.directors.and.partners@smart-china-expo.example.org",
        "ops@example.org"], send_time=datetime.time(18, 30),
        kinds=["edition-pdf", "edition-xlsx"],
    ).pk
    print(json.dumps({{
        "report_schedule": report_schedule,
        "exhibitor": exhibitor.pk, "hall": booth.hall.code, "booth": booth.code,
        "full_day": days[-1], "manage": visitor.manage_token, "offer": offer_token(waiting),
        "scanner": scanner, "deal": deal, **portal, **programme,
    }}))
    """
)


@dataclass(frozen=True)
class Page:
    id: str
    pattern: str | None  # the URL pattern's name; None for the page no pattern names (404)
    path: str  # the English address, with {fields} of the world
    ready: tuple[str, ...] = ()  # what to wait for before measuring
    who: str | None = None  # "organiser", "scanner", "booth"…: who signs in first


E = f"/expos/{EDITION}"
P = f"/portal/{EDITION}/" + "{exhibitor_slug}"
PAGES = [
    Page("home", "web:home", "/"),
    Page("edition", "web:expo-home", f"{E}/"),
    Page("earlier-edition", "web:expo-home", "/expos/sce-2018/"),
    Page("exhibitors", "web:exhibitors", f"{E}/exhibitors/"),
    # A booth code typed into the search, and the exhibitor found, with the way back.
    Page("exhibitors-booth", "web:exhibitors", E + "/exhibitors/?q={booth}"),
    Page("exhibitor", "web:exhibitor", E + "/exhibitors/{exhibitor}/?back=q%3D{booth}"),
    Page("floor-plan", "web:site-plan", f"{E}/floor-plan/"),
    Page("hall", "web:hall", E + "/halls/{hall}/?booth={booth}"),
    Page("register", "tickets:register", f"{E}/register/"),
    # 2018 is over: its registration page says so instead of offering a form.
    Page("register-closed", "tickets:register", "/expos/sce-2018/register/"),
    Page("find-ticket", "tickets:find-ticket", f"{E}/find-my-ticket/"),
    Page(
        "waiting-list",
        "tickets:waitlist-join",
        E + "/waitlist/join/?ticket_type=public-day&day={full_day}",
    ),
    Page("offer", "tickets:offer", E + "/waitlist/{offer}/"),
    Page("tickets", "tickets:manage", E + "/my/{manage}/"),
    Page("erase", "privacy:erase", E + "/my/{manage}/erase/"),
    Page("erased", "privacy:erased", f"{E}/erased/"),
    Page("scanner", "checkin:scanner", f"{E}/scanner/", ready=("#signin:not([hidden])",)),
    Page(
        "scanner-signed-in",
        "checkin:scanner",
        f"{E}/scanner/",
        ready=("#console:not([hidden]) #gates input",),
        who="scanner",
    ),
    Page(
        "live-venue",
        "crowd:live",
        f"{E}/live/?at=2019-08-26T10:00",
        ready=('#status[data-state="ok"]', "#chart .main-svg"),
        who="organiser",
    ),
    # The gate-lane plan's form (an organiser signs in; the plan shows after an upload).
    Page(
        "planning-lanes",
        "planning:lanes",
        f"{E}/planning/lanes/",
        ready=(".lanes-form",),
        who="organiser",
    ),
    # The organiser's dashboard (an organiser signs in), once its first poll has answered.
    Page(
        "dashboard",
        "reports:dashboard",
        f"{E}/reports/dashboard/",
        ready=('#dash-status[data-state="ok"]',),
        who="organiser",
    ),
    # The report jobs and the daily report emails (an organiser signs in).
    Page(
        "report-jobs",
        "reports:jobs",
        f"{E}/reports/jobs/",
        ready=("#jobs-refresh",),
        who="organiser",
    ),
    Page(
        "report-schedules",
        "reports:schedules",
        f"{E}/reports/schedules/",
        ready=(".schedule-form",),
        who="organiser",
    ),
    Page(
        "report-schedule-edit",
        "reports:schedule-edit",
        E + "/reports/schedules/{report_schedule}/",
        ready=(".schedule-form",),
        who="organiser",
    ),
    Page("programme", "programme:programme", f"{E}/programme/"),
    Page("programme-list", "programme:programme", E + "/programme/?view=list&day={programme_day}"),
    Page("programme-search", "programme:programme", E + "/programme/?q=zzzz&forum=nope"),
    # With the visitor's buttons, once their agenda remembered their registration.
    Page(
        "programme-visitor",
        "programme:programme",
        f"{E}/programme/",
        ready=(".prog-actions",),
        who="visitor",
    ),
    Page("session", "programme:session", E + "/programme/sessions/{session}/"),
    Page(
        "session-visitor",
        "programme:session",
        E + "/programme/sessions/{session}/",
        ready=(".prog-actions",),
        who="visitor",
    ),
    Page("speakers", "programme:speakers", f"{E}/programme/speakers/"),
    Page("speaker", "programme:speaker", E + "/programme/speakers/{speaker}/"),
    Page("agenda", "programme:agenda", E + "/my/{manage}/agenda/"),
    Page("not-found", None, f"{E}/no-such-page/"),
    # The exhibitor portal: its administrator signs in (the longest name's exhibitor).
    Page("portal-login", "portal:login", "/portal/login/"),
    Page("portal-index", "portal:index", "/portal/", ready=(".portal-nav",), who="exhibitor"),
    Page("portal-home", "portal:home", P + "/", ready=(".portal-nav",), who="exhibitor"),
    Page(
        "portal-profile", "portal:profile", P + "/profile/", ready=(".portal-nav",), who="exhibitor"
    ),
    Page(
        "portal-showcase",
        "portal:showcase",
        P + "/showcase/",
        ready=(".portal-nav",),
        who="exhibitor",
    ),
    Page(
        "portal-showcase-item",
        "portal:showcase-edit",
        P + "/showcase/{item}/",
        ready=(".portal-nav",),
        who="exhibitor",
    ),
    Page("portal-team", "portal:team", P + "/team/", ready=(".portal-nav",), who="exhibitor"),
    Page(
        "portal-footfall",
        "portal:footfall",
        P + "/footfall/",
        ready=(".portal-nav",),
        who="exhibitor",
    ),
    Page(
        "portal-staff-passes",
        "portal:staff-passes",
        P + "/staff-passes/",
        ready=(".portal-nav",),
        who="exhibitor",
    ),
    Page(
        "portal-staff-pass-cancel",
        "portal:staff-passes-cancel",
        P + "/staff-passes/{staff_pass}/cancel/",
        ready=(".portal-nav",),
        who="exhibitor",
    ),
    Page(
        "portal-api-tokens",
        "portal:api-tokens",
        P + "/api-tokens/",
        ready=(".portal-nav",),
        who="exhibitor",
    ),
    Page(
        "portal-api-token-revoke",
        "portal:api-tokens-revoke",
        P + "/api-tokens/{api_token}/revoke/",
        ready=(".portal-nav",),
        who="exhibitor",
    ),
    Page("portal-leads", "portal:leads", P + "/leads/", ready=(".portal-nav",), who="exhibitor"),
    Page(
        "portal-lead",
        "portal:leads-edit",
        P + "/leads/{lead}/",
        ready=(".portal-nav",),
        who="exhibitor",
    ),
    Page(
        "portal-booth-devices",
        "portal:booth-devices",
        P + "/booth-devices/",
        ready=(".portal-nav",),
        who="exhibitor",
    ),
    Page(
        "portal-booth-device-revoke",
        "portal:booth-devices-revoke",
        P + "/booth-devices/{lead_device}/revoke/",
        ready=(".portal-nav",),
        who="exhibitor",
    ),
    Page("booth", "booth:page", f"{E}/booth/", ready=("#signin:not([hidden])",)),
    Page(
        "booth-signed-in",
        "booth:page",
        f"{E}/booth/",
        ready=("#console:not([hidden])", "#captures-empty"),
        who="booth",
    ),
    Page("leads-mine", "leads:mine", E + "/my/{manage}/leads/"),
    Page("deals-tally", "deals:tally", f"{E}/deals/"),
    Page("deals-list", "deals:list", f"{E}/deals/list/"),
    Page("deals-list-filtered", "deals:list", f"{E}/deals/list/?q=zzzz&country=CN"),
    Page("deal", "deals:deal", E + "/deals/{deal}/"),
    Page("deals-follow-up", "deals:follow-up", f"{E}/deals/follow-up/"),
    Page("meetings-mine", "meetings:mine", E + "/my/{manage}/meetings/"),
    Page(
        "portal-meetings",
        "portal:meetings",
        P + "/meetings/",
        ready=(".portal-nav",),
        who="exhibitor",
    ),
    Page(
        "portal-suggestions",
        "portal:suggestions",
        P + "/suggested-visitors/",
        ready=(".portal-nav",),
        who="exhibitor",
    ),
    Page("portal-accept", "portal:accept", "/portal/invitations/{invitation}/"),
    Page("password-reset", "portal:password-reset", "/portal/password-reset/"),
    Page("password-reset-done", "portal:password-reset-done", "/portal/password-reset/sent/"),
    Page(
        "password-reset-confirm",
        "portal:password-reset-confirm",
        "/portal/password-reset/{reset_uid}/{reset_token}/",
    ),
    Page(
        "password-reset-complete", "portal:password-reset-complete", "/portal/password-reset/done/"
    ),
]

# Addresses that answer no page for a phone to show, each with its reason.
EXCLUDED = {
    "set_language": "POST only: switches the language and redirects back to the page",
    "javascript-catalog": "the translations for scripts, JavaScript",
    "checkin:scanner-sw": "the scanner's service worker, JavaScript",
    "booth:sw": "the booth page's service worker, JavaScript",
    "portal:leads-export-csv": "a CSV download",
    "portal:leads-export-xlsx": "an Excel download",
    "portal:leads-export-vcf": "a vCard download",
    "meetings:mine-ics": "a visitor's meetings as an iCalendar feed, for calendar apps",
    "portal:meetings-ics": "an exhibitor's meetings as an iCalendar feed, for calendar apps",
    "crowd:live-data": "JSON that the live venue page polls",
    "crowd:live-chart": "JSON that the live venue page polls",
    "crowd:acknowledge": "POST only: redirects back to the live venue page",
    "crowd:plotly": "the plotly.js bundle the live venue page loads",
    "planning:lanes-csv": "a CSV download",
    "planning:lanes-pdf": "a PDF download",
    "privacy:personal-data": "a JSON download",
    "tickets:cancel": "POST only: redirects back to the tickets page",
    "recommend:dismiss": "POST only: the agenda's No thanks; redirects back to the agenda",
    "tickets:profile": "POST only: the manage page's profile form; a refusal is drawn as the "
    "manage page, which is visited",
    "tickets:ticket-pdf": "a PDF download",
    "portal:logout": "POST only: signs out and redirects to the login page",
    "portal:staff-passes-resend": "POST only: queues the e-ticket email again, redirects back",
    "exhibitor-image": "an exhibitor's picture, an image file",
    "programme:speaker-photo": "a speaker's photo, an image file",
    "portal:showcase-move": "POST only: redirects back to the showcase page",
    "portal:showcase-delete": "POST only: redirects back to the showcase page",
    "portal:team-revoke": "POST only: redirects back to the team page",
    "portal:team-role": "POST only: redirects back to the team page",
    "portal:team-remove": "POST only: redirects back to the team page",
    "deals:ceremony": "the signing ceremony's big screen, made for 1920 × 1080 and scaled with "
    "the window (tests/browser/test_deals_ceremony.py)",
    "reports:screen": "the entrance hall's big screen, made for a 1920 × 1080 display "
    "(tests/browser/test_big_screen.py)",
    "reports:screen-data": "JSON that the big screen polls",
    "reports:dashboard-data": "JSON that the organiser's dashboard polls",
    "reports:report-pdf": "a PDF download",
    "reports:report-xlsx": "an XLSX download",
    "reports:exhibitor-pdf": "a PDF download",
    "portal:report-pdf": "a PDF download",
    "reports:job-new": "POST only: queues a report job, redirects to the report jobs page",
    "reports:jobs-data": "JSON that the report jobs page polls",
    "reports:job-download": "a report job's file, a PDF or XLSX download",
    "reports:schedule-delete": "POST only: redirects to the daily report emails' page",
    "healthz": "JSON for load balancers (docs/api.md, Health checks)",
    "readyz": "JSON for load balancers (docs/api.md, Health checks)",
}
EXCLUDED_NAMESPACES = {
    "admin": "the back office, Django's admin, for organisers at their desks",
    "api-v1": "the JSON API under /api/v1/",
    "programme-feeds": "iCalendar feeds and frab schedules (JSON, XML) for apps",
}


def url_patterns(patterns=None, namespace=""):
    """(namespace, name, route) of every pattern of the project's URLconf."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            for ns, name, route in url_patterns(entry.url_patterns, inner):
                yield ns, name, str(entry.pattern) + route
        elif isinstance(entry, URLPattern):
            yield namespace, entry.name, str(entry.pattern)


def test_every_public_page_is_visited_on_a_phone_or_excluded_with_a_reason():
    visited = {page.pattern for page in PAGES if page.pattern}
    named = set()
    missing = []
    for namespace, name, route in url_patterns():
        if namespace.split(":")[0] in EXCLUDED_NAMESPACES:
            continue
        qualified = f"{namespace}:{name}" if namespace else name
        named.add(qualified)
        if qualified not in visited and qualified not in EXCLUDED:
            missing.append(f"{qualified or '(unnamed)'} at /{route}")
    assert not missing, (
        "Pages that no phone test visits: add them to PAGES, or to EXCLUDED with the reason"
        f" there is no page to show: {missing}"
    )
    assert not (visited | set(EXCLUDED)) - named, "listed here but gone from the URLconf"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with live_server.served(
        tmp_path_factory.mktemp("small-screens"), args=["--no-folder"], world=WORLD
    ) as served:
        yield served


def new_page(chromium, viewport, language, *, javascript=True):
    context = chromium.new_context(
        viewport=viewport,
        locale="zh-CN" if language == "zh-hans" else "en-US",
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def phone(chromium):
    pages = []

    def open_(language, **options):
        pages.append(new_page(chromium, PHONE, language, **options))
        return pages[-1]

    yield open_
    for page in pages:
        page.context.close()


def address(site, language, path):
    return site.base + ("/zh-hans" if language == "zh-hans" else "") + path


def sign_in(page, site, who):
    if who == "organiser":  # the admin's login form, where the live page sends anyone else
        page.fill("#id_username", "ops")
        page.fill("#id_password", PASSWORD)
        page.locator('input[type="submit"]').click()
    elif who == "exhibitor":  # the portal's login form, where its pages send anyone else
        page.fill("#id_username", site.tokens["portal_email"])
        page.fill("#id_password", PASSWORD)
        page.locator("form.card button[type=submit]").click()
    elif who == "visitor":  # the agenda, by the manage link, remembers the registration
        back = page.url
        page.goto(back.split("/expos/")[0] + f"/expos/{EDITION}/my/{site.tokens['manage']}/agenda/")
        page.goto(back)
    elif who in ("scanner", "booth"):  # a gate's device token, or a booth's
        page.fill("#token", site.tokens[who])
        page.locator("#signin-button").click()


# What the page measures: the widths, the header's height, whether the root clips its overflow
# (a page must fit, not hide what sticks out), and, for the message, the outermost elements
# that reach past the right edge outside any box of their own that scrolls or clips.
MEASURE = """() => {
  const width = window.innerWidth;
  const root = document.documentElement;
  const result = {
    scrollWidth: root.scrollWidth,
    innerWidth: width,
    header: document.querySelector("header.topbar").getBoundingClientRect().height,
    clipped: [root, document.body].map((e) => getComputedStyle(e).overflowX)
      .filter((v) => v !== "visible"),
    outside: [],
  };
  if (result.scrollWidth <= width) return result;
  const boxed = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  for (const e of document.body.querySelectorAll("*")) {
    const right = e.getBoundingClientRect().right;
    const parent = e.parentElement.getBoundingClientRect().right;
    if (right > width + 0.5 && parent <= width + 0.5 && !boxed(e)) {
      const classes = typeof e.className === "string" ? e.className.trim().split(/\\s+/) : [];
      const name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
        + classes.filter(Boolean).map((c) => "." + c).join("");
      result.outside.push(name + " to " + Math.round(right) + " px");
    }
  }
  return result;
}"""


def fits_a_phone(page) -> None:
    """The page, on a phone's screen, is no wider than it."""
    seen = page.evaluate(MEASURE)
    assert seen["scrollWidth"] <= seen["innerWidth"] == PHONE["width"], (page.url, seen)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("public", PAGES, ids=[page.id for page in PAGES])
def test_a_public_page_fits_a_phone_without_sideways_scrolling(site, phone, public, language):
    page = phone(language)
    response = page.goto(address(site, language, public.path.format(**site.tokens)))
    assert response.status == (404 if public.pattern is None else 200)
    if public.who:
        sign_in(page, site, public.who)
    for selector in public.ready:
        page.wait_for_selector(selector)
    page.wait_for_load_state("load")
    seen = page.evaluate(MEASURE)

    assert seen["innerWidth"] == PHONE["width"]
    assert not seen["clipped"], "the page must fit, not clip what sticks out"
    assert seen["scrollWidth"] <= seen["innerWidth"], (
        f"{page.url} is {seen['scrollWidth']} px wide at {seen['innerWidth']} px: "
        f"{seen['outside'][:8]}"
    )
    assert seen["header"] <= HEADER_MAX, f"the header takes {seen['header']} px of 740"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_ticket_names_on_a_phone_wrap_between_words_not_after_every_character(
    site, phone, language
):
    page = phone(language)
    page.goto(address(site, language, f"{E}/register/"))
    names = page.locator(".availability tbody th[scope=row]")
    expect(names.first).to_be_visible()
    # Lines of each ticket name (the row header's first text), counted from its line boxes.
    lines = names.evaluate_all(
        """(cells) => cells.map((cell) => {
          const range = document.createRange();
          range.selectNodeContents(cell.firstChild);
          return [cell.firstChild.textContent.trim(),
                  new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size];
        })"""
    )
    # Wrapped a character a line, "Professional pass (4 days)" would take 20 lines.
    assert all(count <= 3 for _name, count in lines), lines
    # The table scrolls in its own box, and the names stay in view while it does.
    box = page.locator(".table-scroll")
    assert box.evaluate("(e) => e.scrollWidth > e.clientWidth"), "the days do not fit 360 px"
    before = names.first.bounding_box()["x"]
    box.evaluate("(e) => { e.scrollLeft = e.scrollWidth; }")
    assert names.first.bounding_box()["x"] == before


def test_on_a_phone_the_menu_opens_and_leads_on_without_javascript(site, phone):
    page = phone("en", javascript=False)
    page.goto(address(site, "en", f"{E}/"))
    exhibitors = page.get_by_role("link", name="Exhibitors", exact=True)
    expect(exhibitors).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(exhibitors).to_be_visible()
    assert page.evaluate(MEASURE)["scrollWidth"] <= PHONE["width"]
    exhibitors.click()
    expect(page).to_have_url(f"{site.base}{E}/exhibitors/")
    expect(page.get_by_role("heading", name="Exhibitors")).to_be_visible()

    page.goto(address(site, "zh-hans", f"{E}/"))
    page.get_by_text("菜单", exact=True).click()
    expect(page.get_by_role("link", name="展商", exact=True)).to_be_visible()


def test_on_a_wide_screen_the_links_show_in_a_row_without_a_menu_button(site, chromium):
    page = new_page(chromium, DESKTOP, "en")
    try:
        page.goto(address(site, "en", f"{E}/"))
        expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
        links = page.locator(".mainnav a")
        expect(links).to_have_count(6)
        for link in links.all():
            expect(link).to_be_visible()
        tops = {round(link.bounding_box()["y"]) for link in links.all()}
        assert len(tops) == 1, "one row"
        assert page.locator("header.topbar").bounding_box()["height"] <= 64
    finally:
        page.context.close()
