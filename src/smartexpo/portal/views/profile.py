"""The exhibitor's profile and showcase, edited by any member of its team. The rules are the
`exhibitors` services' (the API's PATCH of the own profile uses the same one)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors import services
from smartexpo.exhibitors.models import ExhibitorStatus, ShowcaseItem
from smartexpo.portal.access import portal_view
from smartexpo.portal.forms import (
    ProfileForm,
    ShowcaseItemForm,
    add_service_errors,
    upload_bytes,
)
from smartexpo.portal.views.accounts import render_portal

TEXT_FIELDS = ("title_en", "title_zh", "description_en", "description_zh")


def _picture(data: dict, upload: str, remove: str):
    """What a form says of a picture: new bytes, None to remove it, or KEEP."""
    if data.get(upload):
        return upload_bytes(data[upload])
    if data.get(remove):
        return None
    return services.KEEP


def _submit(request, form, save, *, saved: str, then) -> tuple[HttpResponse | None, int]:
    """A form's POST: `save(cleaned_data)` (a service call) when the form is valid, then the
    message `saved` and the redirect `then()`; otherwise the service's refusal on the form.
    Returns (the redirect or None, the status to show the form with)."""
    if request.method != "POST":
        return None, 200
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except SmartExpoError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, saved)
            return then(), 200
    return None, 422


@portal_view()
def profile(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    """The bilingual profile: names, descriptions, website, tags and logo."""
    current = request.exhibitor
    form = ProfileForm(request.POST or None, request.FILES or None, exhibitor=current)
    done, status = _submit(
        request,
        form,
        lambda data: services.exhibitor_update_profile(
            exhibitor=current,
            name_en=data["name_en"],
            name_zh=data["name_zh"],
            description_en=data["description_en"],
            description_zh=data["description_zh"],
            website=data["website"],
            tags=data["tags"],
            logo=_picture(data, "logo", "remove_logo"),
        ),
        saved=_("Your profile is saved."),
        then=lambda: redirect("portal:profile", expo=current.expo.slug, exhibitor=current.slug),
    )
    if done:
        return done
    context = {"form": form, "public": current.status == ExhibitorStatus.APPROVED}
    return render_portal(request, "portal/profile.html", context, status=status)


def _items(exhibitor):
    return list(
        ShowcaseItem.objects.filter(exhibitor=exhibitor)
        .select_related("image")
        .defer("image__data")
        .order_by("position", "id")
    )


def _item_or_404(request, pk: int) -> ShowcaseItem:
    item = (
        ShowcaseItem.objects.filter(exhibitor=request.exhibitor, pk=pk)
        .select_related("image", "exhibitor")
        .defer("image__data")
        .first()
    )
    if item is None:
        raise Http404
    return item


def _back_to_showcase(request):
    return redirect("portal:showcase", expo=request.expo.slug, exhibitor=request.exhibitor.slug)


@portal_view()
def showcase(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    """The showcase's items in their order, and the form to add one."""
    form = ShowcaseItemForm(request.POST or None, request.FILES or None)
    done, status = _submit(
        request,
        form,
        lambda data: services.showcase_item_add(
            exhibitor=request.exhibitor,
            image=upload_bytes(data["image"]) if data.get("image") else None,
            **{key: data[key] for key in TEXT_FIELDS},
        ),
        saved=_("The item is added to your showcase."),
        then=lambda: _back_to_showcase(request),
    )
    if done:
        return done
    context = {"form": form, "items": _items(request.exhibitor)}
    return render_portal(request, "portal/showcase.html", context, status=status)


@portal_view()
def showcase_edit(request: HttpRequest, expo: str, exhibitor: str, pk: int) -> HttpResponse:
    """One item of the showcase: its texts and picture."""
    item = _item_or_404(request, pk)
    form = ShowcaseItemForm(request.POST or None, request.FILES or None, item=item)
    done, status = _submit(
        request,
        form,
        lambda data: services.showcase_item_update(
            item=item,
            image=_picture(data, "image", "remove_image"),
            **{key: data[key] for key in TEXT_FIELDS},
        ),
        saved=_("The item is saved."),
        then=lambda: _back_to_showcase(request),
    )
    if done:
        return done
    context = {"form": form, "item": item}
    return render_portal(request, "portal/showcase_item.html", context, status=status)


@require_POST
@portal_view()
def showcase_move(request: HttpRequest, expo: str, exhibitor: str, pk: int) -> HttpResponse:
    """Move an item one place up or down."""
    item = _item_or_404(request, pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is not None:
        services.showcase_item_move(item=item, offset=offset)
    return _back_to_showcase(request)


@require_POST
@portal_view()
def showcase_delete(request: HttpRequest, expo: str, exhibitor: str, pk: int) -> HttpResponse:
    """Take an item off the showcase."""
    item = _item_or_404(request, pk)
    services.showcase_item_delete(item=item)
    messages.success(request, _("“%(title)s” is deleted.") % {"title": item.title})
    return _back_to_showcase(request)
