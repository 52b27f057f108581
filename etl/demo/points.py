"""The demo's synthetic stations, outlets and liaisons, as frames in WGS-84.

Every row is marked synthetic and says so in its name. Coordinates here are the truth (WGS-84);
the writer in ``etl.demo.install`` converts them into the system each file claims.
"""

import numpy as np
import pandas as pd
import shapely

from etl.demo.areas import Area, CityAreas, sample_inside

STATION_KINDS = {  # kind: (share, the name Chinese sheets give it)
    "warm_station": (0.70, "暖新驿站"),
    "union_station": (0.14, "工会驿站"),
    "youth_station": (0.06, "青年驿站"),
    "rider_center": (0.10, "骑手之家"),
}
SERVICE_CENTRE = ("party_service_center", "党群服务中心")
# Beyond any parser, on purpose: such rows are kept with their text and flagged.
UNPARSEABLE_HOURS = ("节假日另行通知", "视天气情况开放")
HOURS_TEXTS = {  # as offices write them
    "24小时": 0.22, "全天": 0.06, "9:00-21:00": 0.16, "周一至周五 9:00-17:00": 0.14,
    "08:30-20:30": 0.10, "周一至周日 7:00-22:00": 0.10, "Mo-Fr 09:00-21:00; Sa 10:00-16:00": 0.06,
    "22:00-06:00": 0.04, "24/7": 0.04, UNPARSEABLE_HOURS[0]: 0.04, UNPARSEABLE_HOURS[1]: 0.04,
}  # fmt: skip
AMENITY_WORDS = ["充电", "饮水", "热水", "休息", "卫生间", "微波炉", "药箱", "空调", "wifi", "雨伞"]
UNKNOWN_AMENITY_WORDS = ["按摩椅", "书报角", "理发"]
OUTLET_BRANDS = {  # kind: (share, brands)
    "express": (0.50, ["顺丰", "京东", "中通", "圆通", "韵达", "申通", "极兔", "邮政EMS"]),
    "food_delivery": (0.35, ["美团", "饿了么"]),
    "ride_hailing": (0.08, ["滴滴", "曹操出行", "T3出行"]),
    "freight": (0.07, ["货拉拉", "满帮"]),
}
OUTLET_KIND_WORDS = {"express": "快递", "food_delivery": "外卖", "ride_hailing": "网约车",
                     "freight": "货运"}  # fmt: skip


def _choose(rng: np.random.Generator, table: dict[str, float], n: int) -> np.ndarray:
    shares = np.array(list(table.values()))
    return np.array(list(table))[rng.choice(len(table), size=n, p=shares / shares.sum())]


def district_names(areas: CityAreas, xy: np.ndarray) -> np.ndarray:
    """Return the name of the district each point (n x 2) lies in."""
    names = np.full(len(xy), "", dtype=object)
    for district in areas.districts:
        names[shapely.contains_xy(district.geom, xy[:, 0], xy[:, 1])] = district.name
    return names


def addresses(rng: np.random.Generator, areas: CityAreas, districts: np.ndarray) -> list[str]:
    """Return made-up street addresses in the given districts."""
    numbers = rng.integers(1, 300, len(districts))
    return [f"{areas.boundary.name}{d}合成路{k}号" for d, k in zip(districts, numbers, strict=True)]


def amenity_texts(rng: np.random.Generator, n: int) -> list[str]:
    """Return ``n`` amenity lists as a street office writes them (、-separated, a few odd words)."""
    texts = []
    for _ in range(n):
        words = list(rng.choice(AMENITY_WORDS, size=int(rng.integers(2, 6)), replace=False))
        if rng.random() < 0.06:
            words.append(str(rng.choice(UNKNOWN_AMENITY_WORDS)))
        texts.append("、".join(words))
    return texts


def station_frame(
    rng: np.random.Generator, areas: CityAreas, kinds: dict[str, tuple[float, str]], n: int,
    id_prefix: str,
) -> pd.DataFrame:  # fmt: skip
    """Generate ``n`` stations of ``kinds`` inside the city's land, dense where it is dense."""
    xy = sample_inside(rng, areas.land, n, areas.density)
    kind = _choose(rng, {k: share for k, (share, _) in kinds.items()}, n)
    words = [kinds[k][1] for k in kind]
    return pd.DataFrame({
        **_located(rng, areas, xy, words, id_prefix, "{label}（合成）{district}{number:03d}号"),
        "kind": kind,
        "kind_word": words,
        "amenities": amenity_texts(rng, n),
        "hours": _choose(rng, HOURS_TEXTS, n),
        # Landlines in the 0000 block of the city's area code: well-formed, never assigned.
        "phone": [f"{areas.city.phone_code}-0000{k:04d}" for k in rng.integers(0, 9999, n)],
        "capacity": rng.integers(4, 40, n),
    })  # fmt: skip


def outlet_frame(
    rng: np.random.Generator, areas: CityAreas, n: int, id_prefix: str
) -> pd.DataFrame:
    """Generate ``n`` delivery outlets with brands and a skewed number of riders."""
    xy = sample_inside(rng, areas.land, n, areas.density)
    kind = _choose(rng, {k: share for k, (share, _) in OUTLET_BRANDS.items()}, n)
    brand = [str(rng.choice(OUTLET_BRANDS[k][1])) for k in kind]
    return pd.DataFrame({
        **_located(rng, areas, xy, brand, id_prefix, "{label}（合成）{district}{number:04d}网点"),
        "brand": brand,
        "kind": kind,
        "kind_word": [OUTLET_KIND_WORDS[k] for k in kind],
        "riders": riders(rng, n),
    })  # fmt: skip


def _located(
    rng: np.random.Generator, areas: CityAreas, xy: np.ndarray, labels: list[str],
    id_prefix: str, name_format: str,
) -> dict[str, object]:  # fmt: skip
    """Return the columns every point has: id, a name saying it is synthetic, address, lon, lat."""
    district = district_names(areas, xy)
    numbers = range(1, len(xy) + 1)
    return {
        "external_id": [f"{id_prefix}{i:04d}" for i in numbers],
        "name": [
            name_format.format(label=label, district=d, number=i)
            for label, d, i in zip(labels, district, numbers, strict=True)
        ],
        "address": addresses(rng, areas, district),
        "lon": xy[:, 0],
        "lat": xy[:, 1],
    }


def riders(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return riders per outlet: most between 5 and 30, a few hubs with 100 or more."""
    typical = np.rint(np.exp(rng.normal(np.log(13.0), 0.45, n))).clip(3, 60)
    hubs = rng.integers(100, 320, n)
    return np.where(rng.random(n) < 0.04, hubs, typical).astype(int)


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯"
    "邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
)
GIVEN_NAMES = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红建文辉海燕鹏飞宇晨欣怡浩然涵远婷佳琪俊博"
)
# Share of liaisons whose sheet gives no base point: they get their scope's centre on load.
NO_BASE_SHARE = 0.1


def liaison_frame(areas: CityAreas, first_number: int, rng: np.random.Generator) -> pd.DataFrame:
    """Generate a community liaison per community and two police liaisons per street.

    Names are drawn from common surnames and given-name characters (marked synthetic, like
    everything generated). Phones are 11 digits that look valid but sit in the unassigned
    ``1380000xxxx`` and ``1390000xxxx`` blocks, so nobody real gets called. Each has a base (the
    community office, the police station) drawn inside their area; ``no_base`` marks the tenth
    whose sheet will leave it blank.
    """
    rows = []
    number = first_number
    for community in areas.communities:
        rows.append(
            _liaison(rng, number, "community", f"{community.name}居委会（合成）", community)
        )
        number += 1
    for street in areas.streets:
        for _ in range(2):
            rows.append(_liaison(rng, number, "police", f"{street.name}派出所（合成）", street))
            number += 1
    return pd.DataFrame(rows)


def _point_in(rng: np.random.Generator, area: Area) -> tuple[float, float]:
    """Return a uniform random point inside ``area`` (its representative point if unlucky)."""
    minx, miny, maxx, maxy = area.geom.bounds
    for _ in range(50):
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(area.geom, lon, lat):
            return float(lon), float(lat)
    point = area.geom.representative_point()
    return point.x, point.y


def _liaison(
    rng: np.random.Generator, number: int, role: str, organization: str, scope: Area
) -> dict[str, object]:
    prefix = "1380000" if role == "community" else "1390000"
    given = "".join(rng.choice(list(GIVEN_NAMES), size=int(rng.integers(1, 3))))
    lon, lat = _point_in(rng, scope)
    return {
        "external_id": f"LI-{number:05d}",
        "name": str(rng.choice(list(SURNAMES))) + given,
        "phone": f"{prefix}{number % 10000:04d}",
        "role": role,
        "organization": organization,
        "scope_adcode": scope.adcode,
        "active": "true",
        "lon": lon,
        "lat": lat,
        "no_base": bool(rng.random() < NO_BASE_SHARE),
    }
