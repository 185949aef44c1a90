"""Reference values for `sbrt cox --firth` from the Python package firthmodels
(which states agreement with R's coxphf to about 1e-6), fitted with tight
tolerances so that the values are the exact optimum.

    pip install firthmodels==0.8.2
    python3 tests/reference/firth.py     # from the repository root
    python3 tests/reference/firth.py "firth two subjects" ...   # only these cases,
                                         # the others kept as they are in firth.json

Writes tests/reference/firth.json in the case format of engine.json,
replayed by tests/engine_reference.rs.
"""

import csv
import json
import math
import sys

import numpy as np
from firthmodels import FirthCoxPH
from scipy.stats import chi2

DATA = "tests/reference/data"


def is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def read(file):
    with open(f"{DATA}/{file}.csv", newline="") as f:
        return list(csv.DictReader(f))


def design(rows, covariates, factors=(), reference=None):
    """Treatment-contrast columns and sbrt's term descriptions."""
    reference = reference or {}
    cols, terms = [], []
    for v in covariates:
        values = [r[v] for r in rows]
        numeric = all(is_number(x) for x in values)
        if v in factors or not numeric:
            levels = sorted(set(values), key=float) if numeric else sorted(set(values))
            ref = reference.get(v, levels[0])
            for lev in [lv for lv in levels if lv != ref]:
                cols.append(np.array([1.0 if x == lev else 0.0 for x in values]))
                terms.append({"term": f"{v}={lev}", "variable": v, "level": lev})
        else:
            cols.append(np.array([float(x) for x in values]))
            terms.append({"term": v, "variable": v, "level": None})
    return np.column_stack(cols), terms


def num(v):
    return None if v is None or not math.isfinite(v) else float(v)


def case(name, file, time, event, covariates, factors=(), reference=None):
    rows = read(file)
    used = [r for r in rows if all(r[c] not in ("", "NA") for c in [time, event, *covariates])]
    x, terms = design(used, covariates, factors, reference)
    t = np.array([float(r[time]) for r in used])
    e = np.array([r[event] in ("1", "true", "TRUE") for r in used])
    model = FirthCoxPH(backend="numpy", max_iter=500, gtol=1e-6, xtol=1e-8).fit(x, (e, t))
    assert model.converged_, name
    model.lrt()
    ci = model.conf_int(method="pl", tol=1e-10, max_iter=500)
    # Penalised log-likelihood at beta = 0.
    null_loglik = model._compute_quantities(np.zeros(x.shape[1])).loglik
    out_terms = []
    for j, term in enumerate(terms):
        b, se = model.coef_[j], model.bse_[j]
        out_terms.append({**term, "coef": b, "se": se, "robust_se": None, "z": b / se, "p": num(model.lrt_pvalues_[j]),
                          "hr": math.exp(b), "hr_lower": num(math.exp(ci[j, 0])), "hr_upper": num(math.exp(ci[j, 1]))})
    lr = 2 * (model.loglik_ - null_loglik)
    args = ["cox", f"{DATA}/{file}.csv", "--time", time, "--event", event, "--covariates", ",".join(covariates)]
    if factors:
        args += ["--factor", ",".join(factors)]
    if reference:
        args += ["--reference", ",".join(f"{k}={v}" for k, v in reference.items())]
    args += ["--firth", "--json"]
    expected = {
        "method": "firth", "n": len(used), "events": int(e.sum()), "n_dropped": len(rows) - len(used),
        "loglik_null": null_loglik, "loglik": model.loglik_, "terms": out_terms,
        "tests": {"likelihood_ratio": {"chisq": lr, "df": x.shape[1], "p": chi2.sf(lr, x.shape[1])}, "wald": None, "score": None},
        "concordance": {"estimate": None, "se": None}, "warnings": [],
    }
    # The iteration count depends on the optimiser, not on the model.
    return {"name": name, "args": args, "expected": expected, "ignore": ["iterations"]}


SPECS = [
    ("firth monotone level and age", "monotone", "time", "event", ["level", "age"]),
    ("firth monotone reference many", "monotone", "time", "event", ["level"], (), {"level": "many"}),
    ("firth example LC by status and levels", "example_analysis", "lc_time", "lc_event", ["disease_status", "n_levels", "bed"], ("n_levels",)),
    ("firth aml", "aml", "time", "status", ["x"]),
    # Heinze & Schemper (2001)'s smallest example, beta = log 3, and a
    # three-subject variant, beta = log 6 (closed forms in firth.rs).
    ("firth two subjects", "firth_two", "time", "event", ["x"]),
    ("firth three subjects", "firth_three", "time", "event", ["x"]),
]

# With names on the command line only those cases are refitted (firthmodels
# 0.8.2 with numpy 2.4 no longer converges on the first case; its values
# were made with the numpy installed at the time).
only = set(sys.argv[1:])
try:
    with open("tests/reference/firth.json") as f:
        kept = {c["name"]: c for c in json.load(f)["cases"]}
except FileNotFoundError:
    kept = {}
cases = [case(*spec) if not only or spec[0] in only else kept[spec[0]] for spec in SPECS]
with open("tests/reference/firth.json", "w") as f:
    json.dump({"generated_by": "tests/reference/firth.py", "firthmodels_version": "0.8.2", "cases": cases}, f, indent=1)
print(len(cases), "cases written to tests/reference/firth.json")
