"""The matrix's rows of the recommendations: the API (a visitor's, an exhibitor's, the pair's),
the agenda's "No thanks", the portal's "Suggested visitors" and the admin's built models.

In the world R shares its email with exhibitors and has declined Huawei (so R's "No thanks" to
Huawei answers 200, said before), Huawei has declined the other registration, and the edition's
recommender is built."""

from __future__ import annotations

from tests.permissions.rows.admin import admin_model
from tests.permissions.terms import (
    PORTAL,
    PROGRAMME_PAGES,
    Row,
    W,
    api,
    everyone,
    holder_or_organizer,
    portal_page,
)

RECOMMENDATIONS = "API: recommendations"
A = "/api/v1/expos/{expo}"
R = A + "/registrations/{registration_id}/recommendations"
MINE = {"registration_id": "registration"}

RECOMMEND_ROWS = [
    Row(RECOMMENDATIONS, "GET", R, holder_or_organizer("200"), params=MINE),
    Row(RECOMMENDATIONS, "GET", R + "/dismissals", holder_or_organizer("200"), params=MINE),
    Row(
        RECOMMENDATIONS,
        "POST",
        R + "/dismissals",
        holder_or_organizer("200"),
        params=MINE,
        json={"exhibitor": W("exhibitor")},
        note="R declined Huawei before: said again, it answers 200",
    ),
    Row(
        RECOMMENDATIONS,
        "DELETE",
        R + "/dismissals/{exhibitor_id}",
        holder_or_organizer("204"),
        params={**MINE, "exhibitor_id": "exhibitor"},
    ),
    Row(RECOMMENDATIONS, "GET", A + "/recommendations/visitors", api("200", "exhibitor")),
    Row(
        RECOMMENDATIONS,
        "POST",
        A + "/recommendations/visitors/dismissals",
        api("201", "exhibitor"),
        json={"registration": W("registration")},
        note="Huawei declines R, who shares something",
    ),
    Row(
        RECOMMENDATIONS,
        "DELETE",
        A + "/recommendations/visitors/dismissals/{registration_id}",
        api("204", "exhibitor"),
        params={"registration_id": "other_registration"},
    ),
    Row(
        RECOMMENDATIONS,
        "GET",
        A + "/recommendations/pair",
        {**api("200", "organizer", "exhibitor", "holder"), "other_holder": "404"},
        query={"registration": W("registration"), "exhibitor": W("exhibitor")},
        note="R and Huawei: the organiser, or either side of the pair",
    ),
    # pages
    Row(
        PROGRAMME_PAGES,
        "POST",
        "/expos/{expo}/my/{token}/recommendations/dismiss/",
        everyone("302"),
        params={"token": "manage_token"},
        form={"exhibitor": W("exhibitor"), "action": "undo"},
        note="the agenda's “No thanks” and its undo: the manage link is the credential",
    ),
    Row(
        PORTAL,
        "GET",
        "/portal/{expo}/{exhibitor}/suggested-visitors/",
        portal_page("200"),
        params={"exhibitor": "exhibitor_slug"},
    ),
    Row(
        PORTAL,
        "POST",
        "/portal/{expo}/{exhibitor}/suggested-visitors/",
        portal_page("302"),
        params={"exhibitor": "exhibitor_slug"},
        form={"registration": W("registration")},
        note="“No thanks” to a visitor who shares something",
    ),
    # the admin: adding is building the edition's model; a built one is never edited
    *admin_model("recommend", "recommendermodel"),
]
