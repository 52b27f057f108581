"""Deep links that open a station in Amap, Baidu Maps or Tencent Maps, or walk there.

Each app reads its own coordinate system: Amap and Tencent GCJ-02, Baidu BD-09 unless told
otherwise (we send BD-09 and say so with ``coord_type=bd09ll``). Every link opens the web page
when the app is not installed.

Two kinds of link per station: a marker (where it is) and a walking route from the rider's point
(Amap ``/navigation`` with ``mode=walk``, Baidu ``/direction`` with ``mode=walking``, Tencent
``/uri/v1/routeplan`` with ``type=walk``). Walking is the one mode all three web URIs accept
(Baidu's and Tencent's web pages have no cycling mode) and the route an e-bike may take.
"""

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote_plus

import numpy as np

from geo_api.coords import gcj02_to_bd09, wgs84_to_gcj02

SOURCE = "warmmap"
# Links are built on the workers' hot path (six per station): each coordinate is formatted and
# each name and address quoted once per station, then placed into every link as it is. Quoting
# the parts of a value one by one gives the same text as quoting the whole, since the separators
# between them are quoted here by hand (%2C is ',', %3A ':', %3B ';', %7C '|').
# Seven decimals are about a centimetre: rounding never moves the marker.
_DIGITS = 7
# Stations whose link places and marker links a worker keeps (``station_place``): a few KB each.
STATION_PLACES = 16_384


@dataclass(frozen=True)
class MapLinks:
    """Links into the three map apps most phones in China carry."""

    amap: str
    baidu: str
    tencent: str


@dataclass(frozen=True)
class LinkPlace:
    """One place with its coordinates formatted and its words quoted, ready for any link."""

    gcj: tuple[str, str]  # lon, lat
    bd: tuple[str, str]  # lon, lat
    name: str
    address: str | None
    # The name where a field separator of a link's value would cut it short: a comma in
    # Amap's "lon,lat,name", '|' in Baidu's "latlng:...|name:...", ';' or ':' in Tencent's marker.
    amap_name: str
    baidu_name: str
    tencent_name: str
    tencent_address: str | None


def _fmt(value: float) -> str:
    return f"{value:.{_DIGITS}f}"


def _without(text: str, quoted: str, *separators: str) -> str:
    if not any(s in text for s in separators):
        return quoted
    for separator in separators:
        text = text.replace(separator, " ")
    return quote_plus(text)


def link_place(lon_gcj: float, lat_gcj: float, lon_bd: float, lat_bd: float, name: str,
               address: str | None = None) -> LinkPlace:  # fmt: skip
    """Return a place for links: coordinates formatted, name and address quoted."""
    name_q = quote_plus(name)
    address_q = quote_plus(address) if address else None
    return LinkPlace(
        gcj=(_fmt(lon_gcj), _fmt(lat_gcj)),
        bd=(_fmt(lon_bd), _fmt(lat_bd)),
        name=name_q,
        address=address_q,
        amap_name=_without(name, name_q, ","),
        baidu_name=_without(name, name_q, "|"),
        tencent_name=_without(name, name_q, ";", ":"),
        tencent_address=_without(address, address_q, ";", ":") if address and address_q else None,
    )


def amap_link(place: LinkPlace) -> str:
    """Return an Amap marker link (``position=lon,lat`` in GCJ-02)."""
    return (
        f"https://uri.amap.com/marker?position={place.gcj[0]}%2C{place.gcj[1]}"
        f"&name={place.name}&coordinate=gaode&callnative=1&src={SOURCE}"
    )


def baidu_link(place: LinkPlace) -> str:
    """Return a Baidu marker link (``location=lat,lng`` in BD-09, stated by ``coord_type``)."""
    return (
        f"https://api.map.baidu.com/marker?location={place.bd[1]}%2C{place.bd[0]}"
        f"&title={place.name}&content={place.address or place.name}&coord_type=bd09ll"
        f"&output=html&src=webapp.{SOURCE}.{SOURCE}"
    )


def tencent_link(place: LinkPlace) -> str:
    """Return a Tencent marker link (``marker=coord:lat,lng;title:...`` in GCJ-02)."""
    # The marker value is itself a list of key:value pairs separated by ';'.
    marker = f"coord%3A{place.gcj[1]}%2C{place.gcj[0]}%3Btitle%3A{place.tencent_name}"
    if place.tencent_address:
        marker += f"%3Baddr%3A{place.tencent_address}"
    return f"https://apis.map.qq.com/uri/v1/marker?marker={marker}&referer={SOURCE}"


def navigation(origin: LinkPlace, place: LinkPlace) -> MapLinks:
    """Return the three walking-route links from ``origin`` to ``place``."""
    return MapLinks(
        amap=f"https://uri.amap.com/navigation"
        f"?from={origin.gcj[0]}%2C{origin.gcj[1]}%2C{origin.amap_name}"
        f"&to={place.gcj[0]}%2C{place.gcj[1]}%2C{place.amap_name}"
        f"&mode=walk&coordinate=gaode&callnative=1&src={SOURCE}",
        baidu=f"https://api.map.baidu.com/direction"
        f"?origin=latlng%3A{origin.bd[1]}%2C{origin.bd[0]}%7Cname%3A{origin.baidu_name}"
        f"&destination=latlng%3A{place.bd[1]}%2C{place.bd[0]}%7Cname%3A{place.baidu_name}"
        f"&mode=walking&coord_type=bd09ll&output=html&src=webapp.{SOURCE}.{SOURCE}",
        tencent=f"https://apis.map.qq.com/uri/v1/routeplan?type=walk"
        f"&from={origin.name}&fromcoord={origin.gcj[1]}%2C{origin.gcj[0]}"
        f"&to={place.name}&tocoord={place.gcj[1]}%2C{place.gcj[0]}&referer={SOURCE}",
    )


def point_place(lon: float, lat: float, name: str, address: str | None = None) -> LinkPlace:
    """Return the link place of one WGS-84 point.

    Converted as scalars: numpy's setup for a one-element array cost more than the conversion.
    """
    lon_gcj, lat_gcj = wgs84_to_gcj02(np.float64(lon), np.float64(lat))
    lon_bd, lat_bd = gcj02_to_bd09(lon_gcj, lat_gcj)
    return link_place(float(lon_gcj), float(lat_gcj), float(lon_bd), float(lat_bd), name, address)


@lru_cache(maxsize=STATION_PLACES)
def station_place(
    lon: float, lat: float, name: str, address: str | None
) -> tuple[LinkPlace, MapLinks]:
    """Return a station's link place and marker links, made once and kept.

    They depend on nothing but the arguments, which are the cache's key: a station moved or
    renamed is a new key, so nothing kept goes stale.
    """
    place = point_place(lon, lat, name, address)
    return place, MapLinks(amap_link(place), baidu_link(place), tencent_link(place))


def station_links(
    origin: tuple[float, float, str],
    lons: list[float],
    lats: list[float],
    names: list[str],
    addresses: list[str | None],
) -> list[tuple[MapLinks, MapLinks]]:
    """Return each station's marker links and walking routes from ``origin`` (lon, lat, name)."""
    start = point_place(*origin)
    links = []
    for station in zip(lons, lats, names, addresses, strict=True):
        place, marker = station_place(*station)
        links.append((marker, navigation(start, place)))
    return links
