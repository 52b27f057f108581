"""Links of the OGC API documents: one place that knows the URLs and the media types."""

from dataclasses import dataclass
from urllib.parse import urlencode

JSON = "application/json"
GEOJSON = "application/geo+json"
SCHEMA = "application/schema+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
MVT = "application/vnd.mapbox-vector-tile"
REL = "http://www.opengis.net/def/rel/ogc/1.0/"
WEB_MERCATOR_QUAD = "WebMercatorQuad"


def link(
    rel: str, href: str, media_type: str, title: str = "", **extra: object
) -> dict[str, object]:
    """Return a link object."""
    found: dict[str, object] = {"rel": rel, "href": href, "type": media_type}
    if title:
        found["title"] = title
    found.update(extra)
    return found


@dataclass(frozen=True)
class PageLinks:
    """Where an items page is, to link its neighbours with the same query."""

    base_url: str
    page_url: str  # absolute, without the query
    params: tuple[tuple[str, str], ...]

    def url(self, offset: int | None = None) -> str:
        """Return the page's URL, or that of the page starting at ``offset``."""
        params = [(k, v) for k, v in self.params if offset is None or k != "offset"]
        if offset is not None and offset > 0:
            params.append(("offset", str(offset)))
        query = urlencode(params)
        return self.page_url + (f"?{query}" if query else "")


def page_links(
    where: PageLinks, collection_url: str, offset: int, limit: int, next_offset: int | None
) -> list[dict[str, object]]:
    """Return self, collection, and next/prev links of a page."""
    links = [
        link("self", where.url(), GEOJSON, "this page"),
        link("collection", collection_url, JSON, "the collection"),
    ]
    if next_offset is not None:
        links.append(link("next", where.url(next_offset), GEOJSON, "next page"))
    if offset > 0:
        links.append(link("prev", where.url(max(0, offset - limit)), GEOJSON, "previous page"))
    return links
