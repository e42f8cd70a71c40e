"""What an exempt figure looks like in print, and what gives it away: the needles the leak harness
searches every output for.

For each confidential field: the figure itself; the ends of its cost range; the saving it makes
against the current cost (or the current cost's savings, where the current cost is exempt); and the
normalised criterion value it maps to (one subtraction from the price when a public option sits
beside it); a secret option's total score (with the public criteria, it gives the withheld one).
Each is searched as people and programs print it: money with and without thousands separators and
£, to 0 and 2 decimals, as 2.686e+06, £1.95 m and 1,950k; a score to 3 or 4 places and in full.
Figures that equal a public figure of the same programme cannot be told apart and are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.programme.funding import recipients
from engine.programme.model import Programme
from engine.programme.money import stranded_split_of
from engine.rules.ruleset import RuleSet
from engine.scoring.scores import score


@dataclass(frozen=True)
class Needle:
    what: str  # "hr-bureau annual_cost", for the failure message
    pattern: re.Pattern[str]


def money_pattern(value: float) -> str:
    """Never a fragment of a longer number or word (a base64 image holds every short digit run)."""
    whole = round(abs(value))
    digits, grouped = f"{whole}", f"{whole:,}"
    pence = f"{abs(value):.2f}".split(".")[1]
    body = f"(?:{re.escape(grouped)}|{digits})"
    tail = r"(?:\.0+)?" if pence == "00" else rf"(?:\.{pence}\d*)?"
    forms = [rf"{body}{tail}(?!\w|,\d)"]  # exact, or to the pound
    pounds = int(f"{abs(value):.2f}".split(".")[0])  # 3106419.63 printed with its pence: 3106419, not 3106420
    if pounds != whole and pence != "00":
        forms.append(rf"(?:{re.escape(f'{pounds:,}')}|{pounds})\.{pence}\d*(?!\w|,\d)")
    short = {f"{abs(value):.4g}", f"{abs(value):,.4g}"}  # 2.686e+06, as a %g format prints it
    forms += [rf"{re.escape(f)}(?!\d)" for f in short if "e" in f]
    if abs(value) >= 1e6:  # £1.95 m and 1,950k, as officers write millions
        forms.append(rf"{re.escape(f'{abs(value) / 1e6:.2f}')}\s?m(?![a-z])")
        forms.append(rf"{re.escape(f'{abs(value) / 1e3:,.0f}')}k(?![a-z])")
    return r"(?<![\w.,])(?:" + "|".join(forms) + ")"


def score_pattern(value: float) -> str:
    """To 4 places, or in full (any longer print starts with the first six decimals); 3 places
    meet other figures by chance."""
    rounded, full = re.escape(f"{value:.4f}"), re.escape(f"{value:.6f}"[:8])
    return rf"(?<![\d.])(?:{rounded}(?!\d)|{full}\d*)"


def needles(programme: Programme, rules: RuleSet, also_public: set[float] = frozenset()) -> list[Needle]:
    """``also_public``: numbers written in the rule set and what-ifs (a threshold, a budget)."""
    public_money = _public_money(programme) | {round(v, 2) for v in also_public}
    found: list[Needle] = []

    def add_money(what: str, value: float) -> None:
        if abs(value) >= 1 and round(abs(value), 2) not in public_money:
            found.append(Needle(what, re.compile(money_pattern(value))))

    for service in programme.services:
        if "annual_cost" in service.exempt:
            add_money(f"{service.id} current cost", service.annual_cost)
    for option in programme.options:
        service = programme.service(option.service)
        for name in option.exempt:
            value = getattr(option, name, None)
            if isinstance(value, (int, float)):
                add_money(f"{option.id} {name}", float(value))
            for end, bound in zip(("low", "high"), option.ranges.get(name, ()), strict=False):
                add_money(f"{option.id} {name} range {end}", bound)
        if ("annual_cost" in option.exempt or "annual_cost" in service.exempt) and not option.is_status_quo:
            add_money(f"{option.id} saving", service.annual_cost - option.annual_cost)
        if "stranded_cost" in option.exempt:  # each partner's part of it, in the by-partner finance
            for partner, share in stranded_split_of(programme, option).items():
                if share < 1:
                    add_money(f"{option.id} stranded cost borne by {partner}", share * option.stranded_cost)
    for actual in programme.actuals:  # money spent or saved that the programme marks confidential
        for name in ("one_off_cost", "savings"):
            if name in actual.exempt:
                values = getattr(actual, name)
                for year, value in values.items():
                    add_money(f"actual {actual.option} {name} {year}", value)
                if len(values) > 1:
                    add_money(f"actual {actual.option} {name} in total", sum(values.values()))
    for what, value in funding_figures(programme).items():
        add_money(what, value)
    for written in programme.options:  # a staged path's sums reveal its stages' exempt figures
        path = programme.option(written.id)
        for name in ("one_off_cost", "stranded_cost"):
            if written.follows is not None and name in path.exempt:
                add_money(f"{path.id} path {name}", float(getattr(path, name)))
    found += _normalised(programme, rules)
    return found


def funding_figures(programme: Programme) -> dict[str, float]:
    """An exempt funding source's amounts, each year's and in all, and each receiver's part (and
    the payer's, for a contribution): what the finance by year and by partner would print."""
    out: dict[str, float] = {}
    for source in programme.funding:
        if "amounts" not in source.exempt:
            continue
        total = sum(source.amounts.values())
        out[f"{source.id} in all"] = total
        for fy, amount in source.amounts.items():
            out[f"{source.id} {fy}"] = amount
            for partner, share in recipients(programme, source).items():
                if share < 1:
                    out[f"{source.id} {fy} to {partner}"] = share * amount
        for partner, share in recipients(programme, source).items():
            if share < 1:
                out[f"{source.id} in all to {partner}"] = share * total
    return out


def _public_money(programme: Programme) -> set[float]:
    out = set()
    for service in programme.services:
        if "annual_cost" not in service.exempt:
            out.add(round(service.annual_cost, 2))
    for option in programme.options:
        for name in ("annual_cost", "one_off_cost", "stranded_cost"):
            if name not in option.exempt:
                out.add(round(abs(float(getattr(option, name))), 2))
    return out


def _normalised(programme: Programme, rules: RuleSet) -> list[Needle]:
    table = score(programme, rules)
    frame = table.options
    criteria = table.criteria()
    public = {
        round(float(row[f"{c}.normalised"]), 4)
        for _, row in frame.iterrows()
        for c in criteria
        if c not in row["exempt"]
    }
    printed = {  # what the public options' lines print to 3 places: scores, gains, values, weights
        round(float(row[k]), 3)
        for _, row in frame.iterrows()
        if not row["exempt"]
        for k in ["score", *(f"{c}.{p}" for c in criteria for p in ("normalised", "contribution", "weight"))]
        if row[k] == row[k]
    }
    printed |= {abs(v) for v in printed}  # "-0.026" shows 0.026 to a search that allows a sign before it
    scales = set(table.secret_scales())  # a secret figure sets the scale: every value on it is its child
    if scales:
        printed = {round(float(w), 3) for w in table.weights.values()}
    out = []
    for _, row in frame.iterrows():
        total = float(row["score"])
        inside = False  # a value at an end of the scale (0 or 1) does not move with it
        for criterion in sorted(scales - set(row["exempt"])):
            value = float(row[f"{criterion}.normalised"])
            inside = inside or 0.001 < value < 0.999
            if 0.001 < value < 0.999 and round(value, 2) != value:
                pattern = re.compile(score_pattern(value))
                out.append(Needle(f"{row['option']} {criterion} on a secret scale", pattern))
        if (row["exempt"] or inside) and total == total and round(total, 3) not in printed:
            three = re.escape(f"{total:.3f}")
            out.append(
                Needle(
                    f"{row['option']} total score",
                    re.compile(rf"(?<![\d.]){three}(?!\d)|{score_pattern(total)}"),
                )
            )
        for criterion in row["exempt"]:
            if criterion not in criteria:
                continue
            value = float(row[f"{criterion}.normalised"])
            if 0.001 < value < 0.999 and round(value, 2) != value and round(value, 4) not in public:
                out.append(
                    Needle(f"{row['option']} {criterion} normalised", re.compile(score_pattern(value)))
                )
    return out


def total_needles(what: str, figures: dict[str, float], public: set[float]) -> list[Needle]:
    """Totals that include an exempt figure (a plan's NPV, one-off cost, annual saving)."""
    return [
        Needle(f"{what} {name}", re.compile(money_pattern(value)))
        for name, value in figures.items()
        if abs(value) >= 1 and round(abs(value), 2) not in public
    ]


def numbers_in(text: str) -> set[float]:
    """Every number written in a file (rules, what-ifs): public by construction."""
    return {float(n.replace(",", "").replace("_", "")) for n in re.findall(r"\d[\d,_]*(?:\.\d+)?", text)}


def hits(text: str, found: list[Needle]) -> list[str]:
    """Each needle found in ``text``, with the words around it."""
    out = []
    for needle in found:
        match = needle.pattern.search(text)
        if match:
            start = max(0, match.start() - 60)
            out.append(f"{needle.what}: …{text[start : match.end() + 20]!r}…")
    return out


MONEY_PRINTED = re.compile(r"£\s?(\d{1,3}(?:,\d{3})+|\d{4,})(?:\.\d+)?(?!\d)")


def exempt_prices(programme: Programme) -> dict[str, float]:
    """Each exempt cost of an option or service (what a switching value would move towards)."""
    out = {}
    for service in programme.services:
        if "annual_cost" in service.exempt:
            out[f"{service.id} current cost"] = float(service.annual_cost)
    for option in programme.options:
        for name in ("annual_cost", "one_off_cost", "stranded_cost"):
            if name in option.exempt and isinstance(getattr(option, name, None), (int, float)):
                out[f"{option.id} {name}"] = float(getattr(option, name))
    return out


def near_hits(text: str, programme: Programme, tolerance: float = 0.005) -> list[str]:
    """Figures printed within ``tolerance`` (0.5 %) of an exempt price without equalling it: a
    switching value or threshold worked towards the price gives it away as surely as the price
    itself (a public figure of the programme that happens to be near is not one)."""
    public = _public_money(programme)
    prices = {k: v for k, v in exempt_prices(programme).items() if v >= 1000}
    out = []
    for match in MONEY_PRINTED.finditer(text):
        value = float(match.group(1).replace(",", ""))
        if round(value, 2) in public:
            continue
        for what, price in prices.items():
            if value != price and abs(value - price) <= tolerance * price:
                start = max(0, match.start() - 60)
                out.append(f"{what} (within {tolerance:.1%}): …{text[start : match.end() + 20]!r}…")
    return out
