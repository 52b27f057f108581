"""``warmmap demo``: generate and load the demo dataset through the ETL, then serve."""

from pathlib import Path
from typing import Annotated

import typer

from etl.demo.defaults import DEFAULT_FOLDER, DEFAULT_SEED
from geo_api.coverage import DEFAULT_RES
from geo_api.migrate import upgrade
from warmmap_cli.common import database, settings, transaction
from warmmap_cli.serve import check_public_serving, serve


def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load, then stop.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the generated data.")] = DEFAULT_SEED,
    out: Annotated[Path, typer.Option(help="Folder of the generated files.")] = DEFAULT_FOLDER,
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    res: Annotated[int, typer.Option(help="H3 resolution of the coverage refresh.")] = DEFAULT_RES,
) -> None:
    """Install the demo dataset (three cities, all synthetic but their boundaries) and serve."""
    # Imported here: the generator pulls in cnmaps, shapely and pandas, which `warmmap --help`
    # and every other command should not pay for.
    from etl.demo.areas import CITIES
    from etl.demo.assign import liaison_counts
    from etl.demo.cases import install_cases
    from etl.demo.install import city_counts, install_demo

    config = settings()
    if not no_serve:
        # Before a minute of loading, not after it.
        check_public_serving(config, host or config.host)
    with database() as engine:
        upgrade(config.database_url)
        results = install_demo(engine, out, seed, progress=True)
        counts = city_counts(engine)
        cases = install_cases(engine, seed, config.report_salt)
        people = liaison_counts(engine)
    for demo_file, batch in results:
        typer.echo(
            f"{demo_file.name}: batch {batch.batch_id}: {batch.inserted} inserted, "
            f"{batch.updated} updated, {batch.rejected} rejected, {batch.repaired} repaired, "
            f"{batch.flagged} flagged"
        )
    for city in CITIES:
        c = counts[city.adcode]
        typer.echo(
            f"{city.label} {city.adcode}: {c['streets']} streets, {c['communities']} communities, "
            f"{c['stations']} stations, {c['service_centres']} service centres, "
            f"{c['outlets']} outlets ({c['riders']} riders), {c['liaisons']} liaisons"
        )
    typer.echo(
        f"Chengdu liaisons: {people['community_liaisons']} community, "
        f"{people['police_liaisons']} police; of {people['outlets']} outlets "
        f"{people['with_community']} have a community liaison and {people['with_police']} a "
        "police liaison (the rest are left for POST /assignments/auto)"
    )
    typer.echo(f"rejected rows: warmmap rejects BATCH_ID; files in {out}")
    states = ", ".join(f"{n} {status}" for status, n in cases.by_status.items())
    typer.echo(f"riders' cases: {cases.created} filed now; in all {states}")
    if cases.example_token:
        typer.echo(f"try: GET /cases/{cases.example_id}?token={cases.example_token}")
    refresh_cities([city.adcode for city in CITIES], res)
    if not no_serve:
        base = f"http://{host or config.host}:{port or config.port}"
        typer.echo(
            f"web map: {base}/map (planners: {base}/map?view=planner&city=510100, "
            "grid managers: ?view=manager&scope=510104001, with a key of warmmap keys create)"
        )
        serve(host=host, port=port)


def refresh_cities(cities: list[str], res: int) -> None:
    """Refresh each city's coverage cells, so the planner's gaps answer at once."""
    from geo_api.coverage.refresh import refresh_coverage

    for city in cities:
        with transaction() as session:
            result = refresh_coverage(session, city, res, "demo")
        typer.echo(
            f"coverage {city} res {res}: {result.cells} cells, "
            f"{result.cells_with_riders} with riders, {result.seconds:.1f} s"
        )
