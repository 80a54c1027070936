"""`eudIcon`: admins upload a challenge's or streak's icon by multipart (`PUT`) or remove it
(`DELETE`, back to the default); whoever may read the definition fetches it (`GET`), served
with its own type, never sniffed, under a policy that runs nothing."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Response, UploadFile, status

from patron.api.deps import Admin, Session, errors
from patron.api.records.access import Language, ReadsAs
from patron.records import definitions, eud_icons, icons
from patron.records.errors import RecordNotFound
from patron.records.render import definition_out
from patron.records.schemas import Kind

router = APIRouter(tags=["records"])

# An icon is shown, never run: no scripts, no loads, no plugins, its own origin for nothing.
ICON_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def _icon_routes(kind: Kind) -> None:
    path = f"/schema/{kind.value}/record/{{recordId}}/eudIcon"

    @router.put(
        path,
        name=f"upload_{kind.value}_icon",
        responses=errors(RecordNotFound, icons.IconRefused, icons.IconTooLarge),
    )
    async def upload_icon(
        recordId: uuid.UUID,
        file: Annotated[UploadFile, File(description="PNG, JPEG, GIF or SVG, at most 100 KB")],
        session: Session,
        caller: Admin,
        language: Language,
    ) -> dict[str, Any]:
        # One byte past the limit is enough to refuse it; the rest is never read.
        content = await file.read(icons.MAX_ICON_BYTES + 1)
        row = await eud_icons.upload(session, kind, recordId, content)
        milestones = list(await definitions.milestones_of(session, [row.id]))
        return {"data": definition_out(row, milestones, language)}

    @router.delete(
        path,
        name=f"remove_{kind.value}_icon",
        status_code=status.HTTP_204_NO_CONTENT,
        responses=errors(RecordNotFound),
    )
    async def remove_icon(recordId: uuid.UUID, session: Session, caller: Admin) -> Response:
        await eud_icons.remove(session, kind, recordId)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.get(
        path,
        name=f"get_{kind.value}_icon",
        responses={
            **errors(RecordNotFound),
            200: {"content": {"image/png": {}, "image/jpeg": {}, "image/gif": {}, "image/svg+xml": {}}},
        },
        response_class=Response,
    )
    async def get_icon(
        recordId: uuid.UUID,
        session: Session,
        viewer: ReadsAs,
        if_none_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        icon = await eud_icons.served(session, kind, recordId, viewer)
        headers = {
            "ETag": f'"{icon.digest}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": ICON_POLICY,
            # Revalidated each time: an admin may replace it, or the definition stop being live.
            "Cache-Control": "no-cache",
        }
        if if_none_match == headers["ETag"]:
            return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(icon.content, media_type=icon.content_type, headers=headers)


for _kind in Kind:
    _icon_routes(_kind)
