"""The street office's export: read back as a spreadsheet would, masked per caller, formula-safe."""

import csv
import io

import pytest
from openpyxl import load_workbook

from geo_api.liaisons.export import neutralise
from tests.liaison_world import A1, STREET_A, build_world, make_liaison, reveals

EVIL = {
    "name": '=HYPERLINK("http://example.invalid","点此")',
    "phone": "+8613800000077",
    "organization": "@SUM(A1:A9)",
}


@pytest.fixture
def world(session):
    world = build_world(session)
    evil = make_liaison(session, EVIL["name"], EVIL["phone"], "community", A1, 104.01, 30.61)
    evil.organization = EVIL["organization"]
    session.flush()
    world.liaisons["evil"] = evil
    return world


def read_csv(response):
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese right
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)  # no formula anywhere
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("reader", [read_csv, read_xlsx])
def test_formula_cells_come_back_as_text(client, world, reader):
    fmt = "csv" if reader is read_csv else "xlsx"
    response = client.get(
        f"/liaisons/export?scope={A1}&format={fmt}", headers=world.headers("gm_A1")
    )
    assert response.status_code == 200, response.text
    assert f"liaisons-{A1}.{fmt}" in response.headers["content-disposition"]
    rows = {int(row["id"]): row for row in reader(response)}
    evil = rows[world.liaisons["evil"].id]
    assert evil["name"] == "'" + EVIL["name"]
    assert evil["phone"] == "'" + EVIL["phone"]
    assert evil["organization"] == "'" + EVIL["organization"]
    mine = rows[world.liaisons["cA1"].id]
    assert (mine["name"], mine["phone"]) == ("张伟", "13800000001")
    police = rows[world.liaisons["pA"].id]  # the street's: wider than the key's scope
    assert (police["name"], police["phone"]) == ("刘*", "139****0004")


def test_export_is_masked_for_planners_and_audited_for_managers(client, session, world):
    rows = read_csv(
        client.get(f"/liaisons/export?scope={STREET_A}", headers=world.headers("planner"))
    )
    assert len(rows) == 4
    assert all(row["masked"] == "True" and "*" in row["phone"] for row in rows)
    assert reveals(session, "planner") == []
    read_csv(client.get(f"/liaisons/export?scope={STREET_A}", headers=world.headers("gm_A")))
    assert len(reveals(session, "gm A")) == 4


def test_export_needs_a_key_and_a_known_format(client, world):
    assert client.get("/liaisons/export").status_code == 401
    response = client.get("/liaisons/export?format=pdf", headers=world.headers("admin"))
    assert response.status_code == 422 and "format" in response.json()["detail"]


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("-2", "'-2"), ("+3", "'+3"), ("@x", "'@x"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("张伟", "张伟"), ("", ""), (5, 5), (None, None)],
)  # fmt: skip
def test_neutralise(value, safe):
    assert neutralise(value) == safe
