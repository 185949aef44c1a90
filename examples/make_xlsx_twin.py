"""Write examples/spine_sarcoma_synthetic.xlsx from the CSV of the same name,
with its events table (examples/spine_sarcoma_synthetic_events.csv) as the
sheet `events`.

The twin holds the same cohort with native Excel date cells (formatted
yyyy-mm-dd) and numeric cells, so the .xlsx reader is exercised on what a
hand-kept spreadsheet holds. Run from the repository root:

    pip install openpyxl && python3 examples/make_xlsx_twin.py
"""

import csv
import datetime

from openpyxl import Workbook

SRC = "examples/spine_sarcoma_synthetic.csv"
EVENTS = "examples/spine_sarcoma_synthetic_events.csv"
DST = "examples/spine_sarcoma_synthetic.xlsx"

with open(SRC, newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
NUMBERS = (
    "age", "dose_gy", "fractions", "isodose_pct", "ptv_cc", "ptv_coverage_pct", "sins", "sins_location",
    "sins_pain", "sins_bone_lesion", "sins_alignment", "sins_collapse", "sins_posterolateral",
    "pain_baseline", "ome_baseline_mg", "grade", "score", "ome_mg",
)
wb = Workbook()
ws = wb.active
ws.title = "cohort"
ws.append(header)
for r in body:
    cells = []
    for name, value in zip(header, r):
        if value == "":
            cells.append(None)
        elif name.endswith("_date"):
            cells.append(datetime.date.fromisoformat(value))
        elif name in NUMBERS:
            cells.append(float(value))
        else:
            cells.append(value)
    ws.append(cells)
with open(EVENTS, newline="") as f:
    events = list(csv.reader(f))
ev = wb.create_sheet("events")
ev.append(events[0])
for r in events[1:]:
    ev.append(
        [
            None if v == "" else datetime.date.fromisoformat(v) if n == "event_date" else float(v) if n in NUMBERS else v
            for n, v in zip(events[0], r)
        ]
    )
for sheet in (ws, ev):
    for col in sheet.iter_cols(min_row=2):
        for cell in col:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
# Fixed document properties so the file is reproducible byte for byte in content.
wb.properties.creator = "sbrt-outcomes"
wb.properties.created = datetime.datetime(2026, 1, 1)
wb.properties.modified = datetime.datetime(2026, 1, 1)
wb.save(DST)
print(f"wrote {DST}: {len(body)} rows, {len(events) - 1} events")
