"""A synthetic agency registry shaped like the real hierarchy: provinces -> cities -> counties
(县/区/县级市) -> townships (镇/乡) and street offices (街道), each government with its
departments. Columns exactly as ``seeds/agencies.csv``.

Codes follow the seed's shape: the 6-digit administrative division code of the government,
``-001`` for the government itself, ``-002..`` its departments, ``-101..`` its townships and
``-201..`` its street offices. Names are unique across the registry (the warehouse matches
versions of a report by agency name).

The tree is built depth first with fan-outs drawn from the given RNG and cut at exactly
``n`` agencies, so a small registry is a realistic corner of the country (a province's
government, one city, some of its counties with their departments and townships) and a
large one spreads over more provinces. Proportions at scale are those of China's agencies
that publish reports: about a third townships/streets, about half county departments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .names import DEPARTMENTS, PLACE_SYLLABLES, PROVINCES, STREET_SUFFIX

COLUMNS = ("agency_code", "name", "aliases", "level", "parent_code", "region")

# Departments of each level: how many of DEPARTMENTS (in order of weight) a government has.
_DEPARTMENTS_PER_LEVEL = {"province": (22, 30), "city": (18, 30), "county": (12, 26)}
_PROVINCE_BUREAUS = {"教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
                     "人力资源和社会保障局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局",
                     "农业农村局", "商务局", "文化和旅游局"}


@dataclass(frozen=True)
class Agency:
    agency_code: str
    name: str
    aliases: str
    level: str  # province | city | county | township | department
    parent_code: str
    region: str
    gov_level: str  # the level of the government it belongs to (itself or its parent)
    department: str = ""  # the department kind (e.g. 公安局) for departments

    def row(self) -> tuple[str, ...]:
        return (self.agency_code, self.name, self.aliases, self.level, self.parent_code, self.region)


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def place(self, suffix: str) -> str:
        for _ in range(1000):
            stem = self.rng.choice(PLACE_SYLLABLES) + self.rng.choice(PLACE_SYLLABLES)
            if stem[0] != stem[1] and stem + suffix not in self.used:
                self.used.add(stem + suffix)
                return stem
        raise RuntimeError("place names exhausted")


def _department_name(kind: str, level: str) -> tuple[str, str]:
    if level == "province" and kind in _PROVINCE_BUREAUS:
        return kind[:-1] + "厅", ""
    if level == "province" and kind == "自然资源和规划局":
        return "自然资源厅", ""
    return kind, next((short for name, short, _, _ in DEPARTMENTS if name == kind), "")


def build_registry(n: int, rng: random.Random) -> list[Agency]:
    """Exactly ``n`` agencies (n >= 1), parents always before their children."""
    names = _Names(rng)
    out: list[Agency] = []
    provinces = list(PROVINCES)
    rng.shuffle(provinces)

    def full() -> bool:
        return len(out) >= n

    def departments(gov: Agency, level: str, prefix: str, region: str, count: int) -> None:
        kinds = [d[0] for d in DEPARTMENTS if d[0] != "人民政府办公室" or level != "province"]
        for k, kind in enumerate(rng.sample(kinds, min(count, len(kinds)))):
            if full():
                return
            dept, short = _department_name(kind, level)
            out.append(Agency(f"{gov.agency_code[:6]}-{k + 2:03d}", prefix + dept,
                              prefix + short if short else "", "department", gov.agency_code, region,
                              level, kind))

    for p_code, p_name, p_kind in provinces:
        if full():
            break
        province = Agency(f"{p_code}0000-001", f"{p_name}人民政府", f"{p_name}政府", "province", "",
                          p_name, "province")
        out.append(province)
        lo, hi = _DEPARTMENTS_PER_LEVEL["province"]
        # Province departments are few next to the hundreds of agencies below them: list some
        # now, the rest once the cities are done (DFS keeps a small registry mostly local).
        n_prov_depts = rng.randint(lo, hi)
        departments(province, "province", p_name, p_name, min(3, n_prov_depts))
        n_cities = 1 if p_kind == "municipality" else rng.randint(8, 16)
        for c in range(n_cities):
            if full():
                break
            if p_kind == "municipality":
                city_name, city_code, city = p_name, f"{p_code}0100", None
            else:
                city_name = names.place("市") + ("市" if p_kind == "province" or rng.random() < 0.7 else "盟")
                city_code = f"{p_code}{c + 1:02d}00"
                city = Agency(f"{city_code}-001", f"{city_name}人民政府", f"{city_name}政府", "city",
                              province.agency_code, p_name + city_name, "city")
                out.append(city)
                lo, hi = _DEPARTMENTS_PER_LEVEL["city"]
                departments(city, "city", city_name, p_name + city_name, rng.randint(lo, hi))
            region = p_name + (city_name if city else "")
            parent = city or province
            n_counties = rng.randint(12, 18) if p_kind == "municipality" else rng.randint(4, 12)
            for k in range(n_counties):
                if full():
                    break
                suffix = rng.choices(["县", "区", "市"], [0.55, 0.35, 0.10])[0]
                county_short = names.place(suffix) + suffix
                county_full = county_short if suffix in ("县", "市") else city_name + county_short
                county_code = f"{city_code[:4]}{k + 1:02d}"
                county = Agency(f"{county_code}-001", f"{county_full}人民政府", f"{county_short}人民政府",
                                "county", parent.agency_code, region, "county")
                out.append(county)
                lo, hi = _DEPARTMENTS_PER_LEVEL["county"]
                departments(county, "county", county_full, region, rng.randint(lo, hi))
                n_towns = rng.randint(6, 20)
                n_streets = rng.randint(2, 8) if suffix == "区" else rng.randint(0, 2)
                for t in range(n_towns + n_streets):
                    if full():
                        break
                    if t < n_towns:
                        kind = rng.choices(["镇", "乡"], [0.7, 0.3])[0]
                        short = names.place(county_short + kind) + kind
                        code, office = f"{county_code}-{101 + t:03d}", "人民政府"
                    else:
                        short = names.place(county_short + "街道") + "街道"
                        code, office = f"{county_code}-{201 + t - n_towns:03d}", STREET_SUFFIX[2:]
                    out.append(Agency(code, f"{county_short}{short}{office}", f"{short}{office}",
                                      "township", county.agency_code, region, "township"))
        departments_done = sum(1 for a in out if a.parent_code == province.agency_code and a.level == "department")
        if not full() and n_prov_depts > departments_done:
            kinds = [d[0] for d in DEPARTMENTS if d[0] != "人民政府办公室"]
            taken = {a.department for a in out if a.parent_code == province.agency_code}
            for k, kind in enumerate([x for x in kinds if x not in taken][: n_prov_depts - departments_done]):
                if full():
                    break
                dept, short = _department_name(kind, "province")
                out.append(Agency(f"{province.agency_code[:6]}-{departments_done + k + 2:03d}", p_name + dept,
                                  p_name + short if short else "", "department", province.agency_code,
                                  p_name, "province", kind))
    if len(out) < n:
        raise ValueError(f"at most {len(out)} agencies can be generated")
    return out[:n]
