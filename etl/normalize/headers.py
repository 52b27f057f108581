"""Which column of a file holds which field: header aliases in Chinese and English, and ``--map``.

Headers match case- and space-insensitively (``Longitude``, `` 经度 ``); ``--map FIELD=COLUMN``
names a column outright. A required field without a column stops the load with one line that
names the field and lists the columns found.
"""

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Final

from geo_api.errors import InvalidInput

ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "external_id": ("编号", "id", "external_id", "外部编号", "站点编号", "网点编号", "序号id"),
    "name": ("名称", "name", "站点名称", "驿站名称", "网点名称", "站名", "姓名"),
    "address": ("地址", "address", "详细地址", "addr"),
    "lon": ("经度", "lon", "lng", "longitude", "x", "long"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "kind": ("类型", "kind", "type", "类别", "站点类型", "网点类型"),
    "amenities": ("服务设施", "amenities", "设施", "配套设施", "服务功能"),
    "hours": ("开放时间", "hours", "营业时间", "opening_hours", "服务时间"),
    "phone": ("电话", "phone", "联系电话", "手机", "手机号", "tel"),
    "brand": ("品牌", "brand"),
    "riders": ("骑手数", "riders", "骑手人数", "骑手数量"),
    "adcode": ("行政区划代码", "adcode", "代码", "区划代码", "code"),
    "parent_adcode": ("上级代码", "parent_adcode", "parent", "上级区划代码"),
    "level": ("级别", "level", "层级"),
    "scope_adcode": ("所属社区", "scope_adcode", "服务范围", "社区代码", "scope"),
    "organization": ("单位", "organization", "所属派出所", "所属单位", "org"),
    "role": ("角色", "role", "类型"),
    "access": ("进入方式", "access", "开放方式"),
    "capacity": ("容纳人数", "capacity", "容量"),
    "area_m2": ("面积", "area_m2", "area", "面积(平方米)", "面积(m2)", "面积㎡"),
    "status": ("状态", "status", "运营状态"),
    "last_verified_at": ("核验时间", "last_verified_at", "最后核验时间", "verified_at"),
    "active": ("在岗", "active", "是否在岗", "有效"),
    "synthetic": ("合成数据", "synthetic", "is_synthetic"),
}
_POINT: Final = ("external_id", "name", "address", "lon", "lat", "synthetic")
FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "stations": (*_POINT, "kind", "phone", "amenities", "hours", "access", "capacity",
                 "area_m2", "status", "last_verified_at"),
    "outlets": (*_POINT, "brand", "kind", "riders"),
    "liaisons": ("external_id", "name", "phone", "role", "organization", "scope_adcode", "active",
                 "synthetic", "lon", "lat"),
    "boundaries": ("adcode", "name", "level", "parent_adcode", "synthetic"),
}  # fmt: skip
# Coordinates are required only where they come from columns: vector files carry geometry.
REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "stations": ("name", "lon", "lat"),
    "outlets": ("name", "lon", "lat"),
    "liaisons": ("name", "role"),
    "boundaries": ("adcode", "name"),
}


def header_key(header: object) -> str:
    """Return the form a header is compared in: NFKC, lower case, without spaces."""
    return "".join(unicodedata.normalize("NFKC", str(header)).lower().split())


def resolve_columns(
    kind: str,
    columns: Iterable[object],
    mapping: Mapping[str, str] | None = None,
    *,
    has_geometry: bool = False,
) -> dict[str, str]:
    """Find the column of each field of ``kind``.

    Parameters
    ----------
    kind
        stations, outlets, liaisons or boundaries.
    columns
        The file's headers as given.
    mapping
        ``{field: column}`` from ``--map``; wins over the aliases.
    has_geometry
        True for vector files, whose coordinates come from the geometry.

    Returns
    -------
    dict of str to str
        ``{field: column}`` for every field found.

    Raises
    ------
    InvalidInput
        When ``--map`` names an unknown field or a column not in the file, or a required field
        has no column.
    """
    headers = [str(column) for column in columns]
    found = _mapped(kind, headers, mapping or {})
    for field in FIELDS[kind]:
        if field in found:
            continue
        aliases = {header_key(alias) for alias in ALIASES[field]}
        taken = set(found.values())
        match = next((h for h in headers if header_key(h) in aliases and h not in taken), None)
        if match is not None:
            found[field] = match
    required = [f for f in REQUIRED[kind] if not (has_geometry and f in ("lon", "lat"))]
    missing = [field for field in required if field not in found]
    if missing:
        field = missing[0]
        raise InvalidInput(
            f"required column {field!r} is missing (headers tried: {', '.join(ALIASES[field])};"
            f" or --map {field}=COLUMN); columns found: {', '.join(headers) or 'none'}"
        )
    return found


def _mapped(kind: str, headers: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for field, column in mapping.items():
        if field not in FIELDS[kind]:
            raise InvalidInput(
                f"unknown field {field!r} in --map for {kind}: use {', '.join(FIELDS[kind])}"
            )
        match = next((h for h in headers if h == column), None)
        match = match or next((h for h in headers if header_key(h) == header_key(column)), None)
        if match is None:
            raise InvalidInput(
                f"--map {field}={column}: no column {column!r}; columns found: {', '.join(headers)}"
            )
        found[field] = match
    return found
