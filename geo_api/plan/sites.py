"""``POST /plan/sites`` and ``POST /plan/cover``: the answers a planner reads.

Demand is measured from each outlet (``measured_from: "outlet"``), as in
``/coverage/communities``. Each site says where it is (district, street and community, codes and
names) and which outlets it newly covers: the uncovered outlets it reaches that no site before it
in the list reaches, so their riders add up to its ``added_riders``. A plan without sites says
why in ``notes`` (``geo_api.plan.notes``).
"""

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from geo_api.coords import from_wgs84
from geo_api.places import places_of
from geo_api.plan.deadline import Deadline
from geo_api.plan.instance import Instance, PlanSpec, build_instance
from geo_api.plan.notes import empty_plan_notes, proof_notes, target_met_note
from geo_api.plan.schemas import CoverPlan, SitesPlan
from geo_api.plan.solver import CoverProblem, Solution, mclp_exact, solve_cover, solve_mclp

EXACT_CURVE = "re-solved exactly for each p"
GREEDY_CURVE = "greedy order of the chosen sites"

MEASURED_FROM = "outlet"


def in_added_order(problem: CoverProblem, chosen: list[int]) -> list[tuple[int, float]]:
    """Order chosen columns by what each adds given those before it (largest first)."""
    remaining, covered = list(chosen), 0.0
    order: list[tuple[int, float]] = []
    while remaining:
        gains = [problem.covered_weight([*[c for c, _ in order], j]) - covered for j in remaining]
        best = int(np.argmax(gains))
        order.append((remaining.pop(best), gains[best]))
        covered += gains[best]
    return order


def newly_covered(instance: Instance, indices: list[int]) -> list[list[dict[str, Any]]]:
    """Return, per candidate in order, the uncovered outlets it reaches first, most riders first."""
    outlets = instance.uncovered
    reached: set[int] = set()
    answers = []
    for index in indices:
        first = [int(d) for d in outlets.reached_by(index) if int(d) not in reached]
        reached.update(first)
        first.sort(key=lambda d: (-outlets.riders[d], outlets.ids[d]))
        answers.append(
            [
                {"id": outlets.ids[d], "name": outlets.names[d], "riders": int(outlets.riders[d])}
                for d in first
            ]
        )
    return answers


def site_features(
    session: Session, instance: Instance, chosen: list[int], out_crs: str
) -> list[dict[str, Any]]:
    """Return each chosen site: position, label, place, the riders it adds and their outlets."""
    order = in_added_order(instance.problem, chosen)
    indices = [instance.columns[column] for column, _ in order]
    lons, lats = instance.candidates.lon[indices], instance.candidates.lat[indices]
    places = places_of(session, lons.tolist(), lats.tolist())
    xs, ys = (np.atleast_1d(v).tolist() for v in from_wgs84(lons, lats, out_crs))
    outlets = newly_covered(instance, indices)
    return [
        {
            "lon": round(x, 7),
            "lat": round(y, 7),
            "added_riders": round(float(added)),
            **instance.candidates.labels[index],
            **place,
            "newly_covered_outlets": site_outlets,
        }
        for (_, added), index, x, y, place, site_outlets in zip(
            order, indices, xs, ys, places, outlets, strict=True
        )
    ]


def coverage_curve(
    instance: Instance, solution: Solution, p: int, deadline: Deadline
) -> tuple[list[dict[str, int]], str, list[str]]:
    """Return covered riders for 1..p, how they were found, and why not exactly if not.

    Each p below the chosen one is re-solved exactly with what is left of the deadline; when a
    solve ends without proof (the deadline ran out), the whole curve is the greedy order of the
    chosen sites instead.
    """
    if not solution.optimal:
        return greedy_curve(instance, solution, p), GREEDY_CURVE, []
    if solution.solver == "trivial":  # nothing to choose from: every p covers what is covered
        return greedy_curve(instance, solution, p), EXACT_CURVE, []
    objectives = []
    for k in range(1, p):
        run = mclp_exact(instance.problem, k, deadline)
        if run.chosen is None or not run.optimal:
            note = f"curve at p={k}: {run.note}; the curve is the greedy order instead"
            return greedy_curve(instance, solution, p), GREEDY_CURVE, [note]
        objectives.append(instance.problem.covered_weight(run.chosen))
    objectives.append(solution.objective)
    before = instance.covered_before
    curve = [{"p": k, "covered_riders": before + round(v)} for k, v in enumerate(objectives, 1)]
    return curve, EXACT_CURVE, []


def greedy_curve(instance: Instance, solution: Solution, p: int) -> list[dict[str, int]]:
    """Return covered riders for 1..p adding the chosen sites in the order of what each adds."""
    before = instance.covered_before
    order = in_added_order(instance.problem, solution.chosen)
    running = np.cumsum([added for _, added in order]) if order else np.zeros(0)
    return [
        {"p": k, "covered_riders": before + round(float(running[min(k, len(order)) - 1]))}
        if order
        else {"p": k, "covered_riders": before}
        for k in range(1, p + 1)
    ]


def plan_sites(
    session: Session, spec: PlanSpec, p: int, deadline: Deadline | None = None
) -> SitesPlan:
    """Choose ``p`` new sites covering the most riders, with the open stations fixed.

    ``spec.time_limit_s`` bounds the whole plan (see ``geo_api.plan.deadline``); a ``deadline``
    given instead (tests pass one with their own clock) must carry the same limit.
    """
    deadline = deadline or Deadline(spec.time_limit_s)
    instance = build_instance(session, spec)
    solution = solve_mclp(instance.problem, p, deadline)
    curve, curve_method, curve_notes = coverage_curve(instance, solution, p, deadline)
    after = instance.covered_before + round(solution.objective)
    bound = instance.covered_before + int(np.floor(solution.bound + 1e-6))
    sites = site_features(session, instance, solution.chosen, spec.out_crs)
    return SitesPlan.model_validate(
        {
            "city": spec.city,
            "p": p,
            "threshold_m": spec.threshold_m,
            "measured_from": MEASURED_FROM,
            "sites": sites,
            "covered_riders_before": instance.covered_before,
            "covered_riders_after": after,
            "total_riders": instance.total_riders,
            "curve": curve,
            "curve_method": curve_method,
            "optimal": solution.optimal,
            "solver": solution.solver,
            "upper_bound_riders": bound,
            "gap_riders": bound - after,
            "candidates": len(instance.candidates.labels),
            "notes": [
                *proof_notes(solution.notes),
                *proof_notes(curve_notes, "curve_not_proven"),
                *([] if sites else empty_plan_notes(instance, spec)),
            ],
        }
    )


def share(riders: float, total: int) -> float:
    """Return ``riders / total`` rounded, or 1.0 when there are no riders at all."""
    return round(riders / total, 4) if total else 1.0


def plan_cover(
    session: Session, spec: PlanSpec, target_share: float, deadline: Deadline | None = None
) -> CoverPlan:
    """Choose the fewest new sites bringing the covered share of riders to ``target_share``."""
    deadline = deadline or Deadline(spec.time_limit_s)
    instance = build_instance(session, spec)
    total, before = instance.total_riders, instance.covered_before
    reachable = before + instance.problem.covered_weight(list(range(instance.problem.n_candidates)))
    feasible = reachable >= target_share * total - 1e-6
    need = (target_share * total if feasible else reachable) - before
    solution = solve_cover(instance.problem, need, deadline)
    after = before + round(solution.objective)
    sites = site_features(session, instance, solution.chosen, spec.out_crs)
    notes = proof_notes(solution.notes)
    if not sites:
        met = total > 0 and before >= target_share * total - 1e-6
        notes = notes + (
            [target_met_note(share(before, total), target_share)]
            if met
            else empty_plan_notes(instance, spec)
        )
    return CoverPlan.model_validate(
        {
            "city": spec.city,
            "threshold_m": spec.threshold_m,
            "target_share": target_share,
            "measured_from": MEASURED_FROM,
            "feasible": feasible,
            "best_reachable_share": share(reachable, total),
            "n_sites": len(solution.chosen),
            "sites": sites,
            "covered_riders_before": before,
            "covered_riders_after": after,
            "total_riders": total,
            "covered_share_before": share(before, total),
            "covered_share_after": share(after, total),
            "optimal": solution.optimal,
            "solver": solution.solver,
            "candidates": len(instance.candidates.labels),
            "notes": notes,
        }
    )
