"""Contacts: find one by any unique key or by name, see everything Patron keeps about them, and
erase them (with a confirmation), through the same services as the API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from patron.challenges import service as challenges
from patron.challenges.schemas import ChallengeFilter
from patron.console.web import Marketer, SignedIn, field, parse_uuid, render, see_other
from patron.contacts import service as contacts
from patron.contacts.errors import ContactNotFound
from patron.contacts.schemas import LookupKeys
from patron.contacts.service import ContactRules
from patron.errors import PatronError
from patron.insights import service as insights
from patron.points import service as points
from patron.points.schemas import TransactionFilter
from patron.promotions import service as promotions
from patron.receipts import service as receipts
from patron.records import reads
from patron.records.query import ListQuery
from patron.records.schemas import Kind
from patron.rewards import service as rewards

router = APIRouter(include_in_schema=False)

# What one contact page lists of each: the newest, enough for a conversation at the help desk.
SHOWN = 20


def _api_root(marketer: Marketer) -> str:
    return (marketer.state.settings.base_url or str(marketer.request.base_url)).rstrip("/") + "/api/v3"


@router.get("/console/contacts", response_class=HTMLResponse)
async def search(
    marketer: SignedIn, q: str = Query("", max_length=200), notice: str | None = Query(None, max_length=200)
) -> Response:
    text = q.strip()
    found: list[Any] = []
    if text:
        rules = ContactRules.from_settings(marketer.state.settings)
        try:
            contact_id = await contacts.lookup_id(marketer.session, LookupKeys(any=text), rules)
        except ContactNotFound:
            contact_id = None
        by_id = parse_uuid(text)
        if contact_id is None and by_id is not None:
            contact_id = by_id
        if contact_id is not None:
            try:
                found.append(await contacts.get(marketer.session, contact_id))
            except ContactNotFound:
                contact_id = None
        if not found:
            found = list(await insights.contacts_named(marketer.session, text))
    template = "contact_results.html" if marketer.request.headers.get("hx-request") else "contacts.html"
    return await render(marketer, marketer.request, template, {"q": text, "found": found, "notice": notice})


async def _record_progress(marketer: Marketer, contact_id: uuid.UUID) -> list[dict[str, Any]]:
    """The contact's challenges and streaks as the widget shows them, with their definitions'
    names and targets for the progress bars."""
    session = marketer.session
    viewer = reads.Viewer(member=contact_id)
    staff = reads.Viewer(staff=True)
    shown: list[dict[str, Any]] = []
    for kind in (Kind.CHALLENGE, Kind.STREAK):
        listing = ListQuery(limit=SHOWN)
        progress = (await reads.progress_page(session, kind, listing, viewer))["data"]
        definitions = (await reads.definitions(session, kind, ListQuery(limit=1000), staff))["data"]
        named = {str(row["id"]): row for row in definitions}
        for row in progress:
            definition = named.get(str(row.get(f"{kind.value}Id")), {})
            shown.append({"kind": kind.value, "row": row, "definition": definition})
    return shown


@router.get("/console/contacts/{contact_id}", response_class=HTMLResponse)
async def contact_page(marketer: SignedIn, contact_id: uuid.UUID, notice: str | None = None) -> Response:
    session = marketer.session
    settings = marketer.state.settings
    zone = settings.zone
    root = _api_root(marketer)
    try:
        contact = await contacts.get(session, contact_id)
    except ContactNotFound:
        return await render(marketer, marketer.request, "not_found.html", {"what": "contact"}, status=404)
    stored, receipt_count, summary = await receipts.history(session, contact_id, 0, SHOWN)
    engage, _ = await challenges.challenges_of(
        session, contact_id, None, ChallengeFilter.ALL, 0, SHOWN, root, zone
    )
    accounts, _ = await points.accounts_of(session, contact_id, 0, SHOWN, root, zone)
    ledger = []
    for account in accounts:  # a contact holds one account per point definition: a handful
        entries, _ = await points.transactions(
            session,
            account_id=account.id,
            contact_id=None,
            definition_id=None,
            which=TransactionFilter.ALL,
            offset=0,
            count=SHOWN,
            base_url=root,
            zone=zone,
        )
        ledger.extend(entries)
    earned, _ = await rewards.page_of(session, contact_id, 0, SHOWN, root, zone)
    return await render(
        marketer,
        marketer.request,
        "contact.html",
        {
            "contact": contacts.contact_out(contact, zone),
            "erased": contact.erased_on is not None,
            "receipts": [receipts.receipt_out(row, zone, root) for row in stored],
            "receipt_count": receipt_count,
            "summary": receipts.summary_out(summary, zone),
            "offers": await insights.offers_of(session, contact_id, SHOWN),
            "promotions": await insights.newest_promotions(session),
            "status_of": promotions.status_of,
            "engage": engage,
            "records": await _record_progress(marketer, contact_id),
            "accounts": accounts,
            "ledger": ledger,
            "rewards": earned,
            "notice": notice,
        },
    )


@router.get("/console/contacts/{contact_id}/erase", response_class=HTMLResponse)
async def erase_page(marketer: SignedIn, contact_id: uuid.UUID) -> Response:
    try:
        contact = await contacts.get(marketer.session, contact_id)
    except ContactNotFound:
        return await render(marketer, marketer.request, "not_found.html", {"what": "contact"}, status=404)
    return await render(
        marketer,
        marketer.request,
        "erase.html",
        {"contact": contacts.contact_out(contact, marketer.state.settings.zone), "problems": None},
    )


@router.post("/console/contacts/{contact_id}/erase", response_class=HTMLResponse)
async def erase(marketer: SignedIn, contact_id: uuid.UUID) -> Response:
    form = await marketer.request.form()
    zone = marketer.state.settings.zone
    try:
        contact = await contacts.get(marketer.session, contact_id)
    except ContactNotFound:
        return await render(marketer, marketer.request, "not_found.html", {"what": "contact"}, status=404)
    if field(form, "confirm") != "ERASE":
        return await render(
            marketer,
            marketer.request,
            "erase.html",
            {
                "contact": contacts.contact_out(contact, zone),
                "problems": ["Type ERASE in capitals to confirm; nothing was erased."],
            },
            status=400,
        )
    try:
        await contacts.erase(marketer.session, contact_id, marketer.state.bus)
    except PatronError as refused:
        return await render(
            marketer,
            marketer.request,
            "erase.html",
            {"contact": contacts.contact_out(contact, zone), "problems": [refused.message]},
            status=refused.status,
        )
    # An erased contact has no page any more (its id answers 404 everywhere, as in the API).
    return see_other("/console/contacts", "The contact's personal data was erased.")
