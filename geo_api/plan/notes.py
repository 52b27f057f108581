"""Why a plan proposes no site: notes a planner reads instead of an empty list.

Codes, tried in this order (the first that holds is the reason):

- ``no_demand``: no outlet inside the city has riders;
- ``nothing_uncovered``: every rider's outlet already has an open station within reach;
- ``no_candidates``: there is nothing to choose from (no station of that kind to reopen or
  convert, no area of that level loaded, no cell centre inside the city near uncovered demand);
- ``no_candidate_in_reach``: candidates exist, but none lies within ``threshold_m`` of an
  uncovered outlet; the closest pair's distance says how far the threshold falls short;
- ``target_already_met`` (``/plan/cover``): the open stations already reach the target share.

and, for any plan the solver could not prove within ``time_limit_s``, ``not_proven`` (the
sites) or ``curve_not_proven`` (the curve), with the solver's own words as the message.

Notes are shaped as ``geo_api.notes`` says.
"""

from typing import Any

from geo_api import vocab
from geo_api.notes import note
from geo_api.plan.instance import Instance, PlanSpec, nearest_pair_m


def _nothing_to_choose(kind: str, res: int) -> tuple[str, str]:
    if kind == "cells":
        return (
            f"no H3 cell centre (res {res}) inside the city lies near uncovered outlets",
            f"城市内没有靠近未覆盖网点的 H3 网格中心（{res} 级）",
        )
    if kind == "warm_station":
        return "no closed or suspended warm station to reopen", "没有可重新开放的暖新驿站"
    if kind in vocab.STATION_KINDS:
        return f"no station of kind {kind} in the city", f"城市内没有类型为 {kind} 的站点"
    return f"no area of level {kind} loaded in the city", f"城市内没有已载入的 {kind} 级区域"


def proof_notes(remarks: list[str], code: str = "not_proven") -> list[dict[str, Any]]:
    """Return the solver's remarks (why an answer is not proven) as notes."""
    return [note(code, remark, f"未能在时限内证明最优（{remark}）") for remark in remarks if remark]


def empty_plan_notes(instance: Instance, spec: PlanSpec) -> list[dict[str, Any]]:
    """Return the one note that says why ``instance`` leaves nothing to choose."""
    if instance.total_riders == 0:
        return [note("no_demand", "No outlet in the city has riders.", "城市内的网点都没有骑手。")]
    uncovered = instance.total_riders - instance.covered_before
    if uncovered == 0:
        return [
            note(
                "nothing_uncovered",
                f"Every rider's outlet already has an open station within {spec.threshold_m:g} m.",
                f"每个有骑手的网点 {spec.threshold_m:g} 米内都已有开放的驿站。",
            )
        ]
    if not instance.candidates.labels:
        en, zh = _nothing_to_choose(instance.kind, spec.res)
        return [
            note(
                "no_candidates",
                f"Nothing to choose from: {en}; {uncovered} riders stay uncovered.",
                f"没有可选的位置：{zh}；{uncovered} 名骑手仍未覆盖。",
                candidates=instance.kind,
                uncovered_riders=uncovered,
            )
        ]
    closest_m = nearest_pair_m(instance.uncovered.lon, instance.uncovered.lat, instance.candidates)
    return [
        note(
            "no_candidate_in_reach",
            f"No candidate lies within {spec.threshold_m:g} m of an uncovered outlet: the "
            f"closest is {closest_m:.0f} m away. Is threshold_m too small for these candidates?",
            f"没有候选位置在未覆盖网点 {spec.threshold_m:g} 米内：最近的相距 {closest_m:.0f} 米。"
            "threshold_m 是否太小？",
            closest_candidate_m=round(closest_m, 1),
            uncovered_riders=uncovered,
        )
    ]


def target_met_note(share_before: float, target_share: float) -> dict[str, Any]:
    """Return the note that the open stations already reach ``target_share``."""
    return note(
        "target_already_met",
        f"The open stations already cover {share_before:.1%} of riders, at least the target "
        f"{target_share:.1%}: no new site is needed.",
        f"现有开放驿站已覆盖 {share_before:.1%} 的骑手，"
        f"达到目标 {target_share:.1%}，无需新增站点。",
        covered_share_before=share_before,
    )
