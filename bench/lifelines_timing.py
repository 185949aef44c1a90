"""Python lifelines' side of bench/compare_r.sh on an R-exported file.

With --whole: pandas.read_csv + CoxPHFitter (x1..x10, Efron ties, as
lifelines always uses) and nothing else (the whole process is timed from
outside). Without: the in-memory seconds of CoxPHFitter, KaplanMeierFitter
and the log-rank test of groups a and b (lifelines' logrank_test compares
two groups; multivariate_logrank_test all three), best of 3 (of BEST_OF
runs when set), as "cox km logrank".

Usage: python bench/lifelines_timing.py FILE [--whole]
"""
import os
import sys
import time

import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test

d = pd.read_csv(sys.argv[1])
columns = ["time", "status"] + [f"x{j}" for j in range(1, 11)]


def cox():
    return CoxPHFitter().fit(d[columns], duration_col="time", event_col="status")


if "--whole" in sys.argv:
    print(cox().log_likelihood_)
else:
    def best(f):
        """Best seconds of f, or NA (with the reason on stderr) when lifelines
        fails: at 10^7 rows its log-rank test stops on its own check that the
        group statistics sum to zero within 1e-7, which rounding breaks."""
        times = []
        for _ in range(int(os.environ.get("BEST_OF", "3"))):
            start = time.perf_counter()
            try:
                f()
            except Exception as e:
                print(f"lifelines failed: {type(e).__name__}: {e}", file=sys.stderr)
                return "NA"
            times.append(time.perf_counter() - start)
        return f"{min(times):.4f}"

    km = best(lambda: KaplanMeierFitter().fit(d["time"], d["status"]))
    lr = best(lambda: multivariate_logrank_test(d["time"], d["group"], d["status"]))
    print(f"{best(cox)} {km} {lr}")
