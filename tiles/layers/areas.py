"""Administrative areas by level: districts, streets, and communities with their coverage.

Communities carry how many outlets and riders lie inside them and how many of those are within
``threshold_m`` of an open station, measured exactly as ``GET /coverage/communities`` measures
them. Computing them in every tile costs one index probe of ``outlets`` per community and one
of the stations' geography index per outlet (about 100 ms for a zoom-10 tile over central
Chengdu), so they are kept per threshold in ``community_coverage`` and joined by key
(``tiles/coverage.py`` keeps them up to date from the ``data_changes`` log). A station's change
reaches every community within ``threshold_m`` of it (``depends_on``).
"""

from tiles.coverage import STALE_SQL, refresh_community_coverage
from tiles.registry import Layer, Materialization, Parameter, Property

THRESHOLD_M = Parameter(
    "threshold_m", float, 1000.0, 1.0, 100_000.0, "reach of an open station, in metres"
)

AREA_PROPERTIES = (
    Property("adcode", "c.adcode", "string", "area code"),
    Property("name", "c.name", "string", "name"),
    Property("parent_adcode", "c.parent_adcode", "string", "area code of the parent"),
    Property("synthetic", "c.synthetic", "boolean", "generated, not a real boundary"),
)

# Figures kept per threshold in community_coverage (tiles/coverage.py); up to date whenever
# the statement's stale flag is false, since a refresh runs before the answer otherwise.
COVERAGE = """
LEFT JOIN community_coverage AS e ON e.threshold_m = :threshold_m AND e.adcode = c.adcode
"""

COVERAGE_PROPERTIES = (
    Property("outlets", "e.outlets", "integer", "outlets inside", enriched=True),
    Property("covered_outlets", "e.covered_outlets", "integer", "of which reached", enriched=True),
    Property("riders", "e.riders", "integer", "riders based inside", enriched=True),
    Property("covered_riders", "e.covered_riders", "integer", "of whom reached", enriched=True),
    Property(
        "covered_share",
        "round((e.covered_riders::numeric / nullif(e.riders, 0)), 4)::float8",
        "number",
        "covered_riders / riders (null without riders)",
        enriched=True,
    ),
)


def area_candidates(level: str) -> str:
    """Return the candidate SQL of the admin areas of ``level`` (a fixed word, not input)."""
    return f"""
        SELECT a.adcode, a.name, a.parent_adcode, a.synthetic, a.geom
        FROM admin_areas AS a
        WHERE a.level = '{level}' AND {{where}}
    """


# Codes of communities and above have at most 12 digits; longer ones get no MVT id.
AREA_MVT_ID = "CASE WHEN length(c.adcode) <= 18 THEN c.adcode::bigint END"

COMMUNITIES = Layer(
    id="communities",
    title="Communities and their coverage",
    description=(
        "Community (社区) boundaries with their outlets and riders, and how many of them are "
        "within threshold_m of an open station."
    ),
    geometry_type="MultiPolygon",
    table="admin_areas",
    candidates=area_candidates("community"),
    geometry_sql="a.geom",
    id_sql="c.adcode",
    id_type="string",
    mvt_id_sql=AREA_MVT_ID,
    properties=AREA_PROPERTIES + COVERAGE_PROPERTIES,
    order_sql="c.adcode",
    cap_note="by area code",
    minzoom=10,
    maxzoom=16,
    simplify=True,
    parameters=(THRESHOLD_M,),
    enrichment=COVERAGE,
    materialization=Materialization(STALE_SQL, refresh_community_coverage),
    depends_on={"admin_areas": None, "outlets": None, "stations": "threshold_m"},
)

STREETS = Layer(
    id="streets",
    title="Streets and towns",
    description="Street (街道) and town (镇) boundaries.",
    geometry_type="MultiPolygon",
    table="admin_areas",
    candidates=area_candidates("street"),
    geometry_sql="a.geom",
    id_sql="c.adcode",
    id_type="string",
    mvt_id_sql=AREA_MVT_ID,
    properties=AREA_PROPERTIES,
    order_sql="c.adcode",
    cap_note="by area code",
    minzoom=8,
    maxzoom=16,
    simplify=True,
    depends_on={"admin_areas": None},
)

DISTRICTS = Layer(
    id="districts",
    title="Districts",
    description="District (区/县) boundaries.",
    geometry_type="MultiPolygon",
    table="admin_areas",
    candidates=area_candidates("district"),
    geometry_sql="a.geom",
    id_sql="c.adcode",
    id_type="string",
    mvt_id_sql=AREA_MVT_ID,
    properties=AREA_PROPERTIES,
    order_sql="c.adcode",
    cap_note="by area code",
    minzoom=4,
    maxzoom=16,
    simplify=True,
    depends_on={"admin_areas": None},
)
