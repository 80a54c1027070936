"""The `links` every Engage item carries: the resource itself and the ones related to it."""

from __future__ import annotations

from pydantic import BaseModel


class ItemLink(BaseModel):
    id: str
    href: str
    method: str = "GET"
    rel: str


def item_link(base_url: str, path: str, resource_id: object, rel: str) -> ItemLink:
    return ItemLink(id=str(resource_id), href=f"{base_url}{path}", rel=rel)


class LinkV2(BaseModel):
    """A link as Engage v2's generated clients model it: `href`, `method`, `rel`, nothing else."""

    href: str
    method: str = "GET"
    rel: str
