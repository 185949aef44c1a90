"""Reference counts of the toxicity table for the bundled example, computed
independently of sbrt from the raw cohort and events files (standard
library only):

    python3 tests/reference/toxicity.py      # from the repository root

Writes tests/reference/toxicity.json: for the acute (<= 90 days) and late
phases, per CTCAE term and for any term, the number of patients by their
worst grade 1-5. An event's day counts from its lesion's SBRT, or for an
event without a lesion from the patient's latest SBRT on or before it;
events attributed unrelated or unlikely are not counted.
tests/analyze.rs compares them with sbrt's results.json.
"""
import csv
import datetime
import json

ACUTE_DAYS = 90
day = datetime.date.fromisoformat

with open("examples/spine_sarcoma_synthetic.csv", newline="") as f:
    lesions = list(csv.DictReader(f))
with open("examples/spine_sarcoma_synthetic_events.csv", newline="") as f:
    events = list(csv.DictReader(f))

sbrt_of_lesion = {l["lesion_id"]: day(l["sbrt_date"]) for l in lesions}
sbrt_of_patient = {}
for l in lesions:
    sbrt_of_patient.setdefault(l["patient_id"], []).append(day(l["sbrt_date"]))

worst = {}  # (phase, term or None) -> {patient: grade}
counted = not_related = 0
for e in events:
    if e["term"] == "pain_score":
        continue
    if e["attribution"] in ("unrelated", "unlikely"):
        not_related += 1
        continue
    counted += 1
    when = day(e["event_date"])
    if e["lesion_id"]:
        start = sbrt_of_lesion[e["lesion_id"]]
    else:
        start = max(d for d in sbrt_of_patient[e["patient_id"]] if d <= when)
    phase = "acute" if (when - start).days <= ACUTE_DAYS else "late"
    for key in ((phase, e["term"]), (phase, None)):
        grades = worst.setdefault(key, {})
        grades[e["patient_id"]] = max(grades.get(e["patient_id"], 0), int(e["grade"]))

rows = []
for (phase, term), grades in sorted(worst.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
    by_grade = [sum(1 for g in grades.values() if g == k) for k in range(1, 6)]
    rows.append({"phase": phase, "term": term, "by_worst_grade": by_grade})
out = {
    "generated_by": "tests/reference/toxicity.py",
    "n_patients": len(sbrt_of_patient),
    "events": counted,
    "not_related": not_related,
    "rows": rows,
}
with open("tests/reference/toxicity.json", "w") as f:
    json.dump(out, f, indent=1)
print(f"wrote tests/reference/toxicity.json: {len(rows)} rows")
