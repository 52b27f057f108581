"""``warmmap load liaisons`` with base points: given (any CRS), defaulted to the scope, rejected."""

from sqlalchemy import text

from etl.load import load_file
from geo_api import coords
from tests.test_load_files import FIXTURES

HEADER = "姓名,电话,角色,所属社区,经度,纬度,单位,在岗\n"


def test_bases_given_defaulted_and_rejected_and_a_reload_changes_nothing(db, tmp_path):
    load_file(db, "boundaries", FIXTURES / "districts.geojson", crs="wgs84", level="district")
    with db.connect() as connection:
        district, inside = connection.execute(text(
            "SELECT adcode, ST_AsText(ST_PointOnSurface(geom)) FROM admin_areas LIMIT 1"
        )).one()  # fmt: skip
    x, y = (float(v) for v in inside[6:-1].split())
    gx, gy = (float(v) for v in coords.from_wgs84(x, y, "gcj02"))
    path = tmp_path / "liaisons.csv"
    path.write_text(
        HEADER
        + f"张伟,13800000001,社区民警,{district},{gx:.6f},{gy:.6f},派出所,是\n"
        + f"李娜,13800000002,社区,{district},,,居委会,是\n"
        + f"王芳,13800000003,社区,{district},{gx:.6f},,居委会,是\n"
        + f"刘洋,13800000004,社区,{district},{gy:.6f},{gx:.6f},居委会,是\n"
        + f"陈静,13800000005,派出所,{district},{gx:.6f},{gy:.6f},派出所,否\n",
        encoding="utf-8",
    )
    first = load_file(db, "liaisons", path, crs="gcj02")
    assert (first.inserted, first.rejected) == (3, 2)
    with db.connect() as connection:
        rows = {r.name: r for r in connection.execute(text(
            "SELECT name, role, base_source, source_crs, ST_X(geom) x, ST_Y(geom) y, active, "
            "deactivated_at FROM liaisons"
        ))}  # fmt: skip
        reasons = [r[0] for r in connection.execute(text(
            "SELECT reason FROM rejected_rows ORDER BY row_number"
        ))]  # fmt: skip
    assert rows["张伟"].base_source == "given" and rows["张伟"].source_crs == "gcj02"
    assert abs(rows["张伟"].x - x) < 1e-5 and abs(rows["张伟"].y - y) < 1e-5
    assert rows["李娜"].base_source == "scope_centre" and rows["李娜"].source_crs is None
    assert abs(rows["李娜"].x - x) < 1e-9 and abs(rows["李娜"].y - y) < 1e-9
    assert rows["陈静"].active is False and rows["陈静"].deactivated_at is not None
    assert "missing coordinates" in reasons[0] and "swapped" in reasons[1]
    assert rows["张伟"].role == "police"  # 社区民警: a community police officer
    again = load_file(db, "liaisons", path, crs="gcj02")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_an_xlsx_with_numbers_where_codes_and_phones_are(db, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号", "角色", "所属社区", "所属派出所"])
    sheet.append(["张伟", 13800000001, "派出所", 510104001, "春熙路派出所"])
    sheet.append(["李娜", 13800000002, "居委会", 510104001001, "居委会"])
    path = tmp_path / "liaisons.xlsx"
    book.save(path)
    result = load_file(db, "liaisons", path, crs="wgs84")
    assert (result.inserted, result.rejected) == (2, 0)
    with db.connect() as connection:
        rows = connection.execute(
            text("SELECT phone, scope_adcode, role FROM liaisons ORDER BY phone")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("13800000001", "510104001", "police"),
        ("13800000002", "510104001001", "community"),
    ]
