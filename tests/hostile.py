"""The hostile corpus's large files, made at test time (the small ones are in fixtures/hostile).

Each maker writes one file into a folder and returns its path: zip bombs, a traversal name, a
10 MB line, a million empty columns, a 500,000-vertex polygon, a cell past Excel's limit, a
workbook whose ids Excel stored as numbers, a GeoPackage of two layers, a link and a FIFO.
"""

import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
from shapely.geometry import Point

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
HEADER = "编号,名称,经度,纬度\n"
# Zip bombs expand this much; the test lowers WARMMAP_LOAD_MAX_UNPACKED_MB below it, since a
# bomb over the default (1 GB) costs seconds of compression to make.
BOMB_MB = 64


def zip_bomb(folder: Path) -> Path:
    """A zipped "Shapefile" of 64 MB of zeros: 64 KB on disk."""
    path = folder / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("outlets.shp", bytes(BOMB_MB * 1024 * 1024))
        archive.writestr("outlets.dbf", b"")
    return path


def xlsx_bomb(folder: Path) -> Path:
    """A workbook whose one sheet is 64 MB of blanks."""
    path = folder / "bomb.xlsx"
    book = folder / "small.xlsx"
    openpyxl.Workbook().save(book)
    with zipfile.ZipFile(book) as small, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as big:
        for member in small.infolist():
            data = small.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                blanks = b" " * (BOMB_MB << 20)
                data = data.replace(b"<sheetData>", b"<sheetData>" + blanks)
            big.writestr(member.filename, data)
    return path


def traversal_zip(folder: Path) -> Path:
    """A zip whose member climbs out of wherever it would be unpacked."""
    path = folder / "traversal.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../../tmp/warmmap-evil.shp", b"x")
    return path


def long_line(folder: Path) -> Path:
    """A CSV whose second line is 10 MB long (a name of ten million characters)."""
    path = folder / "long_line.csv"
    path.write_text(HEADER + "L1," + "长" * (10 * 1024 * 1024 // 3) + ",104.05,30.55\n")
    return path


def million_columns(folder: Path) -> Path:
    """A 2 MB CSV whose rows have a million empty columns after the known ones."""
    path = folder / "million_columns.csv"
    empty = "," * 1_000_000
    path.write_text(HEADER.rstrip("\n") + empty + "\nC1,甲,104.05,30.55" + empty + "\n")
    return path


def long_cell(folder: Path) -> Path:
    """A CSV with a 100 KB name: past the limit of one cell (Excel's own, 32,767 characters)."""
    path = folder / "long_cell.csv"
    path.write_text(HEADER + "X1," + "名" * 100_000 + ",104.05,30.55\n")
    return path


def long_name(folder: Path) -> Path:
    """A CSV with a 300-character name (past the API's 200) and a fine row."""
    path = folder / "long_name.csv"
    path.write_text(HEADER + "N1," + "驿" * 300 + ",104.05,30.55\nN2,暖新驿站,104.06,30.56\n")
    return path


def many_vertices(folder: Path) -> Path:
    """A district boundary of 500,000 vertices (a circle, valid)."""
    path = folder / "many_vertices.geojson"
    angles = np.linspace(0, 2 * np.pi, 500_000, endpoint=False)
    ring = np.column_stack([104.06 + 0.1 * np.cos(angles), 30.66 + 0.1 * np.sin(angles)])
    ring = np.vstack([ring, ring[:1]]).round(7).tolist()
    feature = {
        "type": "Feature",
        "properties": {"adcode": "510104", "name": "锦江区"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def excel_ids(folder: Path) -> Path:
    """A workbook with a 20-digit id typed as text, and one Excel stored as a number."""
    path = folder / "excel_ids.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "名称", "经度", "纬度"])
    sheet.append(["12345678901234567890", "文本编号", 104.05, 30.55])
    sheet.append([1.2345678901234567e19, "数字编号", 104.06, 30.56])
    sheet.append([510104001, "短编号", 104.07, 30.57])
    book.save(path)
    return path


def two_layers(folder: Path) -> Path:
    """A GeoPackage of two point layers."""
    path = folder / "two_layers.gpkg"
    for layer, name in (("顺丰", "甲"), ("京东", "乙")):
        frame = gpd.GeoDataFrame({"名称": [name]}, geometry=[Point(104.05, 30.55)], crs=4326)
        frame.to_file(path, layer=layer, driver="GPKG")
    return path


def link_to_passwd(folder: Path) -> Path:
    """A symbolic link named like a CSV, to /etc/passwd."""
    path = folder / "outlets.csv"
    path.symlink_to("/etc/passwd")
    return path


def fifo(folder: Path) -> Path:
    """A named pipe no one writes to: reading it would block for ever."""
    path = folder / "pipe.csv"
    os.mkfifo(path)
    return path


def device(folder: Path) -> Path:
    """A character device (/dev/zero never ends)."""
    return Path("/dev/zero")


def committed(name: str) -> Callable[[Path], Path]:
    """A maker that answers a small file of the corpus kept in fixtures/hostile."""

    def maker(folder: Path) -> Path:
        return FIXTURES / name

    maker.__name__ = name
    return maker
