"""``POST /plan/sites`` and ``POST /plan/cover``: the answers a planner reads."""

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from geo_api.coords import from_wgs84
from geo_api.plan.instance import Instance, PlanSpec, build_instance
from geo_api.plan.schemas import CoverPlan, SitesPlan
from geo_api.plan.solver import CoverProblem, Solution, solve_cover, solve_mclp


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


def site_features(instance: Instance, chosen: list[int], out_crs: str) -> list[dict[str, Any]]:
    """Return each chosen site with its position, label and the riders it adds."""
    sites = []
    for column, added in in_added_order(instance.problem, chosen):
        index = instance.columns[column]
        lon, lat = from_wgs84(
            instance.candidates.lon[index], instance.candidates.lat[index], out_crs
        )
        sites.append(
            {
                "lon": round(float(lon), 7),
                "lat": round(float(lat), 7),
                "added_riders": round(float(added)),
                **instance.candidates.labels[index],
            }
        )
    return sites


def coverage_curve(
    instance: Instance, solution: Solution, p: int, time_limit_s: float
) -> tuple[list[dict[str, int]], str]:
    """Return covered riders for 1..p: re-solved exactly per p, or in the greedy order."""
    before = instance.covered_before
    if solution.optimal:
        curve = []
        for k in range(1, p + 1):
            step = solution if k == p else solve_mclp(instance.problem, k, time_limit_s)
            if not step.optimal:
                break
            curve.append({"p": k, "covered_riders": before + round(step.objective)})
        else:
            return curve, "re-solved exactly for each p"
    order = in_added_order(instance.problem, solution.chosen)
    running = np.cumsum([added for _, added in order]) if order else np.zeros(0)
    curve = [
        {"p": k, "covered_riders": before + round(float(running[min(k, len(order)) - 1]))}
        if order
        else {"p": k, "covered_riders": before}
        for k in range(1, p + 1)
    ]
    return curve, "greedy order of the chosen sites"


def plan_sites(session: Session, spec: PlanSpec, p: int) -> SitesPlan:
    """Choose ``p`` new sites covering the most riders, with the open stations fixed."""
    instance = build_instance(session, spec)
    solution = solve_mclp(instance.problem, p, spec.time_limit_s)
    curve, curve_method = coverage_curve(instance, solution, p, spec.time_limit_s)
    after = instance.covered_before + round(solution.objective)
    bound = instance.covered_before + int(np.floor(solution.bound + 1e-6))
    return SitesPlan.model_validate(
        {
            "city": spec.city,
            "p": p,
            "threshold_m": spec.threshold_m,
            "sites": site_features(instance, solution.chosen, spec.out_crs),
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
            "notes": solution.notes,
        }
    )


def share(riders: float, total: int) -> float:
    """Return ``riders / total`` rounded, or 1.0 when there are no riders at all."""
    return round(riders / total, 4) if total else 1.0


def plan_cover(session: Session, spec: PlanSpec, target_share: float) -> CoverPlan:
    """Choose the fewest new sites bringing the covered share of riders to ``target_share``."""
    instance = build_instance(session, spec)
    total, before = instance.total_riders, instance.covered_before
    reachable = before + instance.problem.covered_weight(list(range(instance.problem.n_candidates)))
    feasible = reachable >= target_share * total - 1e-6
    need = (target_share * total if feasible else reachable) - before
    solution = solve_cover(instance.problem, need, spec.time_limit_s)
    after = before + round(solution.objective)
    return CoverPlan.model_validate(
        {
            "city": spec.city,
            "threshold_m": spec.threshold_m,
            "target_share": target_share,
            "feasible": feasible,
            "best_reachable_share": share(reachable, total),
            "n_sites": len(solution.chosen),
            "sites": site_features(instance, solution.chosen, spec.out_crs),
            "covered_riders_before": before,
            "covered_riders_after": after,
            "total_riders": total,
            "covered_share_before": share(before, total),
            "covered_share_after": share(after, total),
            "optimal": solution.optimal,
            "solver": solution.solver,
            "candidates": len(instance.candidates.labels),
        }
    )
