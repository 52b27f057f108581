"""Which column of a file holds which field: header aliases in Chinese and English, and ``--map``.

Headers match case-, width- and space-insensitively (``Longitude``, `` 经度 ``, ``名称*``). A
bracketed note after a header is read too: ``经度（高德）`` is the longitude, in GCJ-02, and
``骑手数（人）`` the riders. ``--map FIELD=COLUMN`` names a column outright. Every column is
accounted for: a field, the rows' numbering (``序号``), a note of a warmmap export, or ignored
(and then kept in the row's ``extra``, with a ``--map`` hint when one fits). A required field
without a column stops the load with one line that names it and lists the columns found.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Final

from geo_api.errors import InvalidInput

# The name readers give a second column of the same header: "名称 (2)".
_REPEATED: Final = re.compile(r"^(.*) \((\d+)\)$")
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "external_id": ("编号", "id", "external_id", "外部编号", "站点编号", "网点编号", "驿站编号",
                    "序号id", "warmmap:id"),
    "name": ("名称", "name", "站点名称", "驿站名称", "网点名称", "站名", "姓名", "名字", "站点"),
    "address": ("地址", "address", "详细地址", "addr", "站点地址", "驿站地址", "网点地址",
                "所在地址", "具体地址", "地点", "位置"),
    "lon": ("经度", "lon", "lng", "longitude", "x", "long", "东经", "x坐标", "经度坐标"),
    "lat": ("纬度", "lat", "latitude", "y", "北纬", "y坐标", "纬度坐标"),
    "coordinates": ("坐标", "经纬度", "经纬度坐标", "坐标(经度,纬度)", "coordinates", "lnglat",
                    "lonlat", "location"),
    "district": ("所属区县", "区县", "所属区", "所在区县", "行政区", "区(县)", "区/县", "district"),
    "kind": ("类型", "kind", "type", "类别", "站点类型", "网点类型", "驿站类型", "业态"),
    "amenities": ("服务设施", "amenities", "设施", "配套设施", "服务功能", "服务内容",
                  "服务项目", "设施设备", "功能"),
    "hours": ("开放时间", "hours", "营业时间", "opening_hours", "服务时间", "开放时段",
              "工作时间"),
    "phone": ("电话", "phone", "联系电话", "手机", "手机号", "tel", "联系方式", "电话号码",
              "手机号码", "联系人电话", "负责人电话"),
    "brand": ("品牌", "brand", "所属品牌", "所属企业", "所属公司", "企业名称", "平台",
              "所属平台"),
    "riders": ("骑手数", "riders", "骑手人数", "骑手数量", "配送员人数", "快递员人数",
               "从业人数", "从业人员数", "人数"),
    "adcode": ("行政区划代码", "adcode", "代码", "区划代码", "code"),
    "parent_adcode": ("上级代码", "parent_adcode", "parent", "上级区划代码"),
    "level": ("级别", "level", "层级"),
    "scope_adcode": ("所属社区", "scope_adcode", "服务范围", "社区代码", "scope"),
    "organization": ("单位", "organization", "所属派出所", "所属单位", "org", "工作单位"),
    "role": ("角色", "role", "类型", "身份"),
    "access": ("进入方式", "access", "开放方式"),
    "capacity": ("容纳人数", "capacity", "容量", "可容纳人数"),
    "area_m2": ("面积", "area_m2", "area", "面积(平方米)", "面积(m2)", "面积㎡", "使用面积"),
    "status": ("状态", "status", "运营状态", "开放状态", "使用状态"),
    "last_verified_at": ("核验时间", "last_verified_at", "最后核验时间", "verified_at"),
    "active": ("在岗", "active", "是否在岗", "有效"),
    "synthetic": ("合成数据", "synthetic", "is_synthetic"),
}  # fmt: skip
# Aliases that mean a field for one kind only: a 联系人 of a liaison sheet is the liaison.
KIND_ALIASES: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "liaisons": {"name": ("联系人", "负责人", "联络员", "网格员")},
}
_POINT: Final = (
    "external_id",
    "name",
    "address",
    "lon",
    "lat",
    "coordinates",
    "district",
    "synthetic",
)
FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "stations": (*_POINT, "kind", "phone", "amenities", "hours", "access", "capacity",
                 "area_m2", "status", "last_verified_at"),
    "outlets": (*_POINT, "brand", "kind", "riders"),
    "liaisons": ("external_id", "name", "phone", "role", "organization", "scope_adcode", "active",
                 "synthetic", "lon", "lat"),
    "boundaries": ("adcode", "name", "level", "parent_adcode", "synthetic"),
}  # fmt: skip
# Coordinates are required only where they come from columns: vector files carry geometry, and
# one 坐标 column holds both.
REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "stations": ("name", "lon", "lat"),
    "outlets": ("name", "lon", "lat"),
    "liaisons": ("name", "role"),
    "boundaries": ("adcode", "name"),
}
# Columns that number the rows of a sheet: a sheet's own order, not data about a record.
NUMBERING: Final = frozenset({"序号", "no", "no.", "行号", "#", "序"})
# Columns a warmmap export adds (row, reasons): notes for the reader, not data.
ANNOTATION_PREFIX: Final = "warmmap:"
# Words naming a coordinate system in a header or above a table.
CRS_WORDS: Final = {
    "高德": "gcj02", "gcj02": "gcj02", "gcj-02": "gcj02", "火星": "gcj02", "腾讯": "gcj02",
    "国测局": "gcj02", "百度": "bd09", "bd09": "bd09", "bd-09": "bd09", "bd09ll": "bd09",
    "wgs84": "wgs84", "wgs-84": "wgs84", "gps": "wgs84", "cgcs2000": "cgcs2000",
    "国家2000": "cgcs2000", "天地图": "cgcs2000",
}  # fmt: skip
_COORDINATE_FIELDS: Final = ("lon", "lat", "coordinates")
_NOTE: Final = re.compile(r"^(.+?)[(\[](.*)[)\]]$")


def header_key(header: object) -> str:
    """Return the form a header is compared in: NFKC, lower case, no spaces, no ``*`` or ``:``."""
    key = "".join(unicodedata.normalize("NFKC", str(header)).lower().split())
    return key.strip("*:")


def crs_named(text: str) -> str | None:
    """Return the coordinate system a word names (高德, 百度, GCJ-02, WGS84 ...), if any."""
    key = header_key(text).replace("坐标系", "").replace("坐标", "")
    return CRS_WORDS.get(key) or next(
        (crs for word, crs in sorted(CRS_WORDS.items(), key=lambda w: -len(w[0])) if word in key),
        None,
    )


def aliases(kind: str, field: str) -> tuple[str, ...]:
    """Return the headers of ``field`` for ``kind``."""
    return ALIASES[field] + KIND_ALIASES.get(kind, {}).get(field, ())


@lru_cache(maxsize=256)
def _keys(kind: str, field: str) -> frozenset[str]:
    return frozenset(header_key(alias) for alias in aliases(kind, field))


class Columns(dict[str, str]):
    """``{field: column}`` for every field found, and how every other column was accounted for.

    Attributes
    ----------
    mapped
        Fields named by ``--map``.
    crs
        ``{column: system}`` where a header names its coordinate system (``经度（高德）``).
    ignored
        Columns feeding no field, in file order; ``hints`` suggests a ``--map`` for some.
    numbering, annotations
        Row-number columns (``序号``) and notes of a warmmap export: not data.
    """

    def __init__(self) -> None:
        super().__init__()
        self.mapped: set[str] = set()
        self.crs: dict[str, str] = {}
        self.ignored: list[str] = []
        self.hints: dict[str, str] = {}
        self.numbering: list[str] = []
        self.annotations: list[str] = []


def _field_of(kind: str, header: str) -> tuple[str | None, str | None]:
    """Return the field a header names for ``kind`` and the coordinate system it names."""
    key = header_key(header)
    for field in FIELDS[kind]:
        if key in _keys(kind, field):
            return field, None
    note = _NOTE.match(key)
    base, inside = (note.group(1), note.group(2)) if note else (key, "")
    crs = crs_named(inside) if inside else None
    for field in FIELDS[kind]:
        if base in _keys(kind, field):
            return field, crs if field in _COORDINATE_FIELDS else None
    # 高德经度, 经度_gcj02: the system written into the header itself.
    crs = crs_named(key)
    if crs is not None:
        stripped = key
        for word in sorted(CRS_WORDS, key=len, reverse=True):
            stripped = stripped.replace(word, "")
        stripped = stripped.strip("_-/ ")
        for field in _COORDINATE_FIELDS:
            if field in FIELDS[kind] and stripped in _keys(kind, field):
                return field, crs
    return None, None


def header_score(
    kind: str, mapping: Mapping[str, str] | None = None
) -> Callable[[Sequence[object]], int]:
    """Return how many cells of a row are headers of ``kind`` (to find the header row)."""
    mapped = {header_key(column) for column in (mapping or {}).values()}

    def score(row: Sequence[object]) -> int:
        count = 0
        for cell in row:
            if cell is None or not str(cell).strip():
                continue
            key = header_key(cell)
            if key in mapped or key in NUMBERING or key.startswith(ANNOTATION_PREFIX):
                count += 1
            elif _field_of(kind, str(cell))[0] is not None:
                count += 1
        return count

    return score


def resolve_columns(
    kind: str,
    columns: Iterable[object],
    mapping: Mapping[str, str] | None = None,
    *,
    has_geometry: bool = False,
) -> Columns:
    """Find the column of each field of ``kind``, and account for every other column.

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

    Raises
    ------
    InvalidInput
        When ``--map`` names an unknown field or a column not in the file, or a required field
        has no column.
    """
    headers = [str(column) for column in columns]
    found = _mapped(kind, headers, mapping or {})
    for header in headers:
        if header in found.values():
            continue
        key = header_key(header)
        field, crs = _field_of(kind, header)
        _check_twice(header, headers, found)
        if field is not None and field not in found:
            found[field] = header
            if crs is not None:
                found.crs[header] = crs
        elif key in NUMBERING:
            found.numbering.append(header)
        elif key.startswith(ANNOTATION_PREFIX):
            found.annotations.append(header)
        else:
            found.ignored.append(header)
    _check_required(kind, found, headers, has_geometry)
    found.hints = {c: h for c in found.ignored if (h := _hint(kind, c, found)) is not None}
    return found


def _check_twice(header: str, headers: list[str], found: Columns) -> None:
    """Refuse a second column with the header of one that feeds a field.

    Which one would be meant? Readers name the second ``名称 (2)``; a note (two 备注) may
    repeat, a field may not.
    """
    repeated = _REPEATED.match(header)
    if repeated is None or repeated[1] not in headers:
        return
    first = repeated[1]
    fields = [f for f, column in found.items() if column == first and f not in found.mapped]
    if fields:
        raise InvalidInput(
            f"the header {first!r} appears more than once, and warmmap reads {fields[0]} from "
            f"it: rename the other columns, or choose one with --map {fields[0]}='{header}'"
        )


def _check_required(kind: str, found: Columns, headers: list[str], has_geometry: bool) -> None:
    coordinates_given = has_geometry or "coordinates" in found
    required = [f for f in REQUIRED[kind] if not (coordinates_given and f in ("lon", "lat"))]
    missing = [field for field in required if field not in found]
    if missing:
        field = missing[0]
        raise InvalidInput(
            f"required column {field!r} is missing (headers tried: "
            f"{', '.join(aliases(kind, field))}; or --map {field}=COLUMN); columns found: "
            f"{', '.join(headers) or 'none'}"
        )


def _hint(kind: str, column: str, found: Columns) -> str | None:
    """Return a ``--map`` for an ignored column whose header holds a field's word (``驿站地址``)."""
    key = header_key(column)
    for field in FIELDS[kind]:
        if field in found:
            continue
        words = [header_key(a) for a in aliases(kind, field) if len(header_key(a)) >= 2]
        if any(word in key for word in words if not word.isascii()):
            return f"--map {field}={column}"
    return None


def _mapped(kind: str, headers: list[str], mapping: Mapping[str, str]) -> Columns:
    found = Columns()
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
        found.mapped.add(field)
        _, crs = _field_of(kind, match)
        if crs is not None and field in _COORDINATE_FIELDS:
            found.crs[match] = crs
    return found
