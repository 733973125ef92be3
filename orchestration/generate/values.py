"""Realistic, internally consistent numbers for one agency's reports, year after year.

One :class:`AgencyState` per agency walks the years in order, so the series is consistent
across reports: table B's ``carried_over`` of year Y is ``carried_forward`` of Y-1 in every
column (R6), table A's ``in_force`` of Y is ``in_force`` of Y-1 + issued - repealed (R7),
and on the 2019-2020 form the documents' ``total_public`` and the items' ``prev_year_items``
continue the same stocks. Every report satisfies R1-R5 by construction.

Distributions (per agency, then per year):
- applications: an agency rate drawn log-normally around a median that depends on level
  and department (公安, 自然资源, 住建 … draw far more than 审计 or 方志办), heavy-tailed
  (sigma 1.0-1.3, so a few city departments receive thousands); most townships (75 %)
  receive none at all and report all zeros; the rate grows ~6 %/year with noise.
- applicants: mostly natural persons; outcomes: about 45 % granted, 20 % not held, the rest
  spread over the 21 outcome rows; a few percent carried forward to the next year.
- review and litigation: Poisson, a few per hundred applications; table A from the
  level's law-making powers (only provinces and cities make 规章).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..reports import form
from .names import DEPARTMENTS
from .registry import Agency

B_COLUMNS = tuple(c.column for c in form.columns("B"))
PARTS = B_COLUMNS[:-1]
B_ROWS = tuple(s.row for s in form.rows("B"))
OUTCOMES = B_ROWS[2:23]
NOT_ON_OLD_FORM = ("other_overdue_correction", "other_unpaid_fee")
C_GROUPS = ("review", "litigation_direct", "litigation_after_review")
C_PARTS = ("upheld", "corrected", "other", "pending")

_APPLICANTS = np.array([0.86, 0.07, 0.005, 0.006, 0.025, 0.034])
_OUTCOME_P = {
    "granted": 0.40, "partly_granted": 0.08, "withheld_state_secret": 0.002, "withheld_prohibited": 0.006,
    "withheld_security_stability": 0.003, "withheld_third_party": 0.012, "withheld_internal": 0.02,
    "withheld_process": 0.03, "withheld_enforcement_file": 0.01, "withheld_inquiry": 0.02,
    "unavailable_not_held": 0.20, "unavailable_needs_creation": 0.04, "unavailable_unclear": 0.02,
    "rejected_petition": 0.04, "rejected_duplicate": 0.03, "rejected_publication": 0.005,
    "rejected_excessive": 0.012, "rejected_confirmation": 0.01, "other_overdue_correction": 0.02,
    "other_unpaid_fee": 0.002, "other_other": 0.058,
}
_P_NEW = np.array([_OUTCOME_P[r] for r in OUTCOMES])
_P_NEW = _P_NEW / _P_NEW.sum()
_OLD_OUTCOMES = tuple(r for r in OUTCOMES if r not in NOT_ON_OLD_FORM)
_P_OLD = np.array([_OUTCOME_P[r] + (sum(_OUTCOME_P[x] for x in NOT_ON_OLD_FORM) if r == "other_other" else 0)
                   for r in _OLD_OUTCOMES])
_P_OLD = _P_OLD / _P_OLD.sum()
_C_P = np.array([0.62, 0.09, 0.19, 0.10])

_DEPT = {name: (apps, decisions) for name, _short, apps, decisions in DEPARTMENTS}
# Median applications per year of a government, and of a department of that level (x weight).
_MEDIAN_GOV = {"province": 400.0, "city": 110.0, "county": 18.0, "township": 1.5}
_MEDIAN_DEPT = {"province": 45.0, "city": 16.0, "county": 2.5}
_MEDIAN_DECISIONS = {"province": 3000.0, "city": 900.0, "county": 250.0, "township": 8.0}
_NORMATIVE = {"province": 25.0, "city": 10.0, "county": 5.0, "township": 0.3}


@dataclass
class AgencyState:
    """What carries over from one year's report to the next."""

    rate: float  # median applications per year
    decision_rate: float
    rules_rate: float
    normative_rate: float
    fee_rate: float
    carried: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PARTS, 0))
    rules_stock: int = 0
    normative_stock: int = 0
    items: dict[str, int] = field(default_factory=dict)  # old form: project counts per row


def new_state(agency: Agency, rng: np.random.Generator) -> AgencyState:
    level = agency.gov_level
    if agency.level == "department":
        apps_w, dec_w = _DEPT.get(agency.department, (0.3, 0.3))
        median = _MEDIAN_DEPT[level] * apps_w
        rate = 0.0 if level == "county" and rng.random() < 0.25 else median * math.exp(rng.normal(0, 1.25))
        decision_rate = _MEDIAN_DECISIONS[level] * dec_w * math.exp(rng.normal(0, 1.0))
        rules_rate = 0.3 if level == "province" else 0.0
        normative = 1.0 if level != "county" else 0.4
        fee = 50.0 * dec_w * math.exp(rng.normal(0, 1.2)) if rng.random() < 0.5 else 0.0
    else:
        quiet = level == "township" and rng.random() < 0.75
        rate = 0.0 if quiet else _MEDIAN_GOV[level] * math.exp(rng.normal(0, 1.0))
        decision_rate = 0.0 if quiet else _MEDIAN_DECISIONS[level] * 0.2 * math.exp(rng.normal(0, 1.0))
        rules_rate = {"province": 6.0, "city": 2.0}.get(level, 0.0)
        normative = 0.0 if quiet else _NORMATIVE[level]
        fee = 0.0 if level == "township" else 20.0 * math.exp(rng.normal(0, 1.0))
    state = AgencyState(rate, decision_rate, rules_rate, normative * math.exp(rng.normal(0, 0.5)), fee)
    state.rules_stock = int(rng.poisson(rules_rate * 12)) if rules_rate else 0
    state.normative_stock = int(rng.poisson(state.normative_rate * 6))
    if rate > 0:  # applications still open from before the first year generated
        state.carried["natural_person"] = int(rng.poisson(rate * 0.04))
    return state


def _multinomial(rng: np.random.Generator, n: int, p: np.ndarray) -> list[int]:
    return [int(x) for x in rng.multinomial(n, p)] if n else [0] * len(p)


def year_values(state: AgencyState, agency: Agency, year: int, version: str, rng: np.random.Generator,
                negative_changes: bool = True) -> dict[tuple[str, str, str], int | float | None]:
    """The values of ``agency``'s report for ``year`` on form ``version``, advancing ``state``."""
    v: dict[tuple[str, str, str], int | float | None] = {}
    growth = 1.06 ** (year - 2019) * math.exp(rng.normal(0, 0.25))
    # --- table B
    n = int(rng.poisson(state.rate * growth)) if state.rate else 0
    new = dict(zip(PARTS, _multinomial(rng, n, _APPLICANTS / _APPLICANTS.sum())))
    outcomes_rows = OUTCOMES if version == form.CURRENT else _OLD_OUTCOMES
    p = _P_NEW if version == form.CURRENT else _P_OLD
    per_row: dict[str, dict[str, int]] = {r: {} for r in B_ROWS}
    for col in PARTS:
        available = new[col] + state.carried[col]
        forward = int(rng.binomial(available, 0.04)) if available else 0
        done = available - forward
        per_row["new_received"][col] = new[col]
        per_row["carried_over"][col] = state.carried[col]
        for row, k in zip(outcomes_rows, _multinomial(rng, done, p)):
            per_row[row][col] = k
        per_row["results_total"][col] = done
        per_row["carried_forward"][col] = forward
        state.carried[col] = forward
    for row in B_ROWS:
        if version != form.CURRENT and row in NOT_ON_OLD_FORM:
            continue
        cells = per_row[row]
        for col in PARTS:
            v[("B", row, col)] = cells.get(col, 0)
        v[("B", row, "total")] = sum(cells.get(col, 0) for col in PARTS)
    # --- table C
    for group, share in zip(C_GROUPS, (0.025, 0.008, 0.004)):
        k = int(rng.poisson(n * share)) if n else 0
        parts = _multinomial(rng, k, _C_P)
        for col, x in zip(C_PARTS, parts):
            v[("C", group, col)] = x
        v[("C", group, "total")] = k
    # --- table A
    rules_issued = int(rng.poisson(state.rules_rate)) if state.rules_rate else 0
    rules_repealed = int(rng.binomial(state.rules_stock, 0.04)) if state.rules_stock else 0
    norm_issued = int(rng.poisson(state.normative_rate * growth)) if state.normative_rate else 0
    norm_repealed = int(rng.binomial(state.normative_stock, 0.06)) if state.normative_stock else 0
    state.rules_stock += rules_issued - rules_repealed
    state.normative_stock += norm_issued - norm_repealed
    decisions = {}
    for row, share in (("licensing", 0.45), ("penalty", 0.4), ("coercion", 0.03), ("other_services", 0.12)):
        lam = state.decision_rate * share * growth
        decisions[row] = int(rng.poisson(lam)) if lam > 0 else 0
    fee = round(state.fee_rate * growth * math.exp(rng.normal(0, 0.3)), 2) if state.fee_rate else 0
    fee = fee or 0
    if version == form.CURRENT:
        v[("A", "rules", "issued")] = rules_issued
        v[("A", "rules", "repealed")] = rules_repealed
        v[("A", "rules", "in_force")] = state.rules_stock
        v[("A", "normative_documents", "issued")] = norm_issued
        v[("A", "normative_documents", "repealed")] = norm_repealed
        v[("A", "normative_documents", "in_force")] = state.normative_stock
        for row in ("licensing", "penalty", "coercion"):
            v[("A", row, "decisions")] = decisions[row]
        v[("A", "fees", "amount")] = fee
    else:
        v[("A", "rules", "made")] = rules_issued
        v[("A", "rules", "published")] = rules_issued
        v[("A", "rules", "total_public")] = state.rules_stock
        v[("A", "normative_documents", "made")] = norm_issued
        v[("A", "normative_documents", "published")] = norm_issued
        v[("A", "normative_documents", "total_public")] = state.normative_stock
    # Items (old form's 上一年项目数量 / 本年增减) move every year, whichever form is printed.
    for row in ("licensing", "other_services", "penalty", "coercion", "fees"):
        base = state.decision_rate if row != "fees" else state.fee_rate
        prev = state.items.get(row)
        if prev is None:
            prev = int(rng.poisson(min(base, 2000) ** 0.5)) if base else 0
        change = int(rng.integers(-2, 4)) if prev else int(rng.integers(0, 2)) if base else 0
        if not negative_changes:
            change = max(change, 0)
        change = max(change, -prev)
        state.items[row] = prev + change
        if version != form.CURRENT:
            v[("A", row, "prev_year_items")] = prev
            v[("A", row, "change")] = change
            if row != "fees":
                v[("A", row, "decisions")] = decisions[row]
    if version != form.CURRENT:
        items = int(rng.poisson(3 + state.fee_rate / 10)) if state.rate or state.decision_rate else 0
        v[("A", "procurement", "items")] = items
        v[("A", "procurement", "amount")] = round(items * 12.5 * math.exp(rng.normal(0, 0.6)), 2) if items else 0
    return v
