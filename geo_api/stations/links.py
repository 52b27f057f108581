"""Deep links that open a station in Amap, Baidu Maps or Tencent Maps.

Each app reads its own coordinate system: Amap and Tencent GCJ-02, Baidu BD-09 unless told
otherwise (we send BD-09 and say so with ``coord_type=bd09ll``). Every link opens the web page
when the app is not installed.
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
    """Marker links for the three map apps most phones in China carry."""

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


def map_links(
    lons: ArrayLike, lats: ArrayLike, names: list[str], addresses: list[str | None]
) -> list[MapLinks]:
    """Return the three links of each station at WGS-84 ``lons, lats`` (converted at once)."""
    gcj = wgs84_to_gcj02(lons, lats)
    lon_bd, lat_bd = (np.atleast_1d(v).tolist() for v in gcj02_to_bd09(*gcj))
    lon_gcj, lat_gcj = (np.atleast_1d(v).tolist() for v in gcj)
    return [
        MapLinks(
            amap=amap_link(lon_gcj[i], lat_gcj[i], name),
            baidu=baidu_link(lon_bd[i], lat_bd[i], name, address),
            tencent=tencent_link(lon_gcj[i], lat_gcj[i], name, address),
        )
        for i, (name, address) in enumerate(zip(names, addresses, strict=True))
    ]
