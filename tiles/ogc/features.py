"""OGC API - Features answers: pages of items and single items, as GeoJSON bytes."""

from datetime import UTC, datetime

import orjson
from sqlalchemy.orm import Session

from geo_api.errors import NotFound
from tiles.ogc import items
from tiles.ogc.links import GEOJSON, JSON, PageLinks, link, page_links
from tiles.ogc.query import ItemsQuery
from tiles.params import bind, query_string
from tiles.registry import Layer
from tiles.service import MapLayers


def _fresh_page(
    read: Session, write: Session, layers: MapLayers, layer: Layer, query: ItemsQuery
) -> tuple[list[str], int, bool]:
    rows = layers.table_rows(read, layer.table)
    features, matched, exact, stale = items.page(read, layer, query, rows)
    if stale and layer.materialization is not None:
        layer.materialization.refresh(write, bind(layer, query.values))
        write.commit()
        features, matched, exact, _ = items.page(read, layer, query, rows)
    return features, matched, exact


def items_page(
    read: Session,
    write: Session,
    layers: MapLayers,
    layer: Layer,
    query: ItemsQuery,
    where: PageLinks,
) -> bytes:
    """Return a FeatureCollection of ``query``'s page with numberMatched and paging links.

    A ``next`` link is given while features remain: by the exact count, or, when the count
    is an estimate, whenever the page is full.
    """
    layers.follow_changes(read)
    features, matched, exact = _fresh_page(read, write, layers, layer, query)
    returned = len(features)
    more = query.offset + returned < matched if exact else returned == query.limit
    collection_url = f"{where.base_url}/ogc/collections/{layer.id}"
    head = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberMatchedExact": exact,
        "numberReturned": returned,
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": page_links(
            where, collection_url, query.offset, query.limit,
            query.offset + returned if more and returned else None,
        ),
    }  # fmt: skip
    body = orjson.dumps(head)[:-1] + b',"features":['
    return body + ",".join(features).encode() + b"]}"


def item(
    read: Session,
    write: Session,
    layer: Layer,
    fid: str,
    query: ItemsQuery,
    base_url: str,
) -> bytes:
    """Return the Feature ``fid`` of ``layer`` with its links (NotFound if there is none)."""
    id_binds = layer.id_binds(fid)
    if id_binds is None:
        raise NotFound(f"no feature {fid!r} in {layer.id}")
    feature, stale = items.one(read, layer, query, id_binds)
    if stale and layer.materialization is not None:
        layer.materialization.refresh(write, bind(layer, query.values))
        write.commit()
        feature, _ = items.one(read, layer, query, id_binds)
    if feature is None:
        raise NotFound(f"no feature {fid!r} in {layer.id}")
    collection = f"{base_url}/ogc/collections/{layer.id}"
    links = [
        link("self", f"{collection}/items/{fid}{query_string(layer, query.values)}", GEOJSON),
        link("collection", collection, JSON),
    ]
    return orjson.dumps(orjson.loads(feature) | {"links": links})
