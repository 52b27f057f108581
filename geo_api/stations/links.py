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
from urllib.parse import quote_plus

import numpy as np

from geo_api.coords import ArrayLike, gcj02_to_bd09, wgs84_to_gcj02

SOURCE = "warmmap"
# Links are built on the workers' hot path (15 per answer): f-strings with each value quoted
# once cost a fifth of urlencode's walk over a dict.
# Seven decimals are about a centimetre: rounding never moves the marker.
_DIGITS = 7


@dataclass(frozen=True)
class MapLinks:
    """Links into the three map apps most phones in China carry."""

    amap: str
    baidu: str
    tencent: str


def _fmt(value: float) -> str:
    return f"{value:.{_DIGITS}f}"


def amap_link(lon_gcj: float, lat_gcj: float, name: str) -> str:
    """Return an Amap marker link (``position=lon,lat`` in GCJ-02)."""
    return (
        f"https://uri.amap.com/marker?position={_fmt(lon_gcj)}%2C{_fmt(lat_gcj)}"
        f"&name={quote_plus(name)}&coordinate=gaode&callnative=1&src={SOURCE}"
    )


def baidu_link(lon_bd: float, lat_bd: float, name: str, address: str | None) -> str:
    """Return a Baidu marker link (``location=lat,lng`` in BD-09, stated by ``coord_type``)."""
    title = quote_plus(name)
    content = quote_plus(address) if address else title
    return (
        f"https://api.map.baidu.com/marker?location={_fmt(lat_bd)}%2C{_fmt(lon_bd)}"
        f"&title={title}&content={content}&coord_type=bd09ll&output=html"
        f"&src=webapp.{SOURCE}.{SOURCE}"
    )


def tencent_link(lon_gcj: float, lat_gcj: float, name: str, address: str | None) -> str:
    """Return a Tencent marker link (``marker=coord:lat,lng;title:...`` in GCJ-02)."""
    # The marker value is itself a list of key:value pairs separated by ';', so those two
    # characters may not appear inside the name or address.
    clean_name = name.replace(";", " ").replace(":", " ")
    marker = f"coord:{_fmt(lat_gcj)},{_fmt(lon_gcj)};title:{clean_name}"
    if address:
        marker += ";addr:" + address.replace(";", " ").replace(":", " ")
    return f"https://apis.map.qq.com/uri/v1/marker?marker={quote_plus(marker)}&referer={SOURCE}"


@dataclass(frozen=True)
class AppPositions:
    """Points as the apps read them: GCJ-02 for Amap and Tencent, BD-09 for Baidu."""

    lon_gcj: list[float]
    lat_gcj: list[float]
    lon_bd: list[float]
    lat_bd: list[float]


def app_positions(lons: ArrayLike, lats: ArrayLike) -> AppPositions:
    """Return WGS-84 ``lons, lats`` in GCJ-02 and BD-09, converted at once."""
    gcj = wgs84_to_gcj02(lons, lats)
    lon_bd, lat_bd = (np.atleast_1d(v).tolist() for v in gcj02_to_bd09(*gcj))
    lon_gcj, lat_gcj = (np.atleast_1d(v).tolist() for v in gcj)
    return AppPositions(lon_gcj, lat_gcj, lon_bd, lat_bd)


def map_links(
    places: AppPositions, names: list[str], addresses: list[str | None]
) -> list[MapLinks]:
    """Return the three marker links of each station."""
    return [
        MapLinks(
            amap=amap_link(places.lon_gcj[i], places.lat_gcj[i], name),
            baidu=baidu_link(places.lon_bd[i], places.lat_bd[i], name, address),
            tencent=tencent_link(places.lon_gcj[i], places.lat_gcj[i], name, address),
        )
        for i, (name, address) in enumerate(zip(names, addresses, strict=True))
    ]


def _amap_point(lon: float, lat: float, name: str) -> str:
    # lon,lat,name: a comma inside the name would start a fourth field
    return f"{_fmt(lon)}%2C{_fmt(lat)}%2C{quote_plus(name.replace(',', ' '))}"


def _baidu_point(lon: float, lat: float, name: str) -> str:
    # latlng:lat,lng|name:...: '|' separates the fields, so it may not appear in the name
    return quote_plus(f"latlng:{_fmt(lat)},{_fmt(lon)}|name:{name.replace('|', ' ')}")


def navigation_links(
    origin: AppPositions, origin_name: str, places: AppPositions, names: list[str]
) -> list[MapLinks]:
    """Return the walking-route links from ``origin`` (one point) to each station."""
    ox_g, oy_g, ox_b, oy_b = (
        origin.lon_gcj[0],
        origin.lat_gcj[0],
        origin.lon_bd[0],
        origin.lat_bd[0],
    )
    amap_from = _amap_point(ox_g, oy_g, origin_name)
    baidu_from = _baidu_point(ox_b, oy_b, origin_name)
    tencent_from = f"from={quote_plus(origin_name)}&fromcoord={_fmt(oy_g)}%2C{_fmt(ox_g)}"
    links = []
    for i, name in enumerate(names):
        x_g, y_g, x_b, y_b = (
            places.lon_gcj[i],
            places.lat_gcj[i],
            places.lon_bd[i],
            places.lat_bd[i],
        )
        links.append(
            MapLinks(
                amap=f"https://uri.amap.com/navigation?from={amap_from}"
                f"&to={_amap_point(x_g, y_g, name)}&mode=walk&coordinate=gaode"
                f"&callnative=1&src={SOURCE}",
                baidu=f"https://api.map.baidu.com/direction?origin={baidu_from}"
                f"&destination={_baidu_point(x_b, y_b, name)}&mode=walking&coord_type=bd09ll"
                f"&output=html&src=webapp.{SOURCE}.{SOURCE}",
                tencent=f"https://apis.map.qq.com/uri/v1/routeplan?type=walk&{tencent_from}"
                f"&to={quote_plus(name)}&tocoord={_fmt(y_g)}%2C{_fmt(x_g)}&referer={SOURCE}",
            )
        )
    return links
