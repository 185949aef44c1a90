"""Write examples/spine_sarcoma_synthetic.xlsx from the CSV of the same name.

The twin holds the same cohort with native Excel date cells (formatted
yyyy-mm-dd) and numeric cells, so the .xlsx reader is exercised on what a
hand-kept spreadsheet holds. Run from the repository root:

    pip install openpyxl && python3 examples/make_xlsx_twin.py
"""

import csv
import datetime

from openpyxl import Workbook

SRC = "examples/spine_sarcoma_synthetic.csv"
DST = "examples/spine_sarcoma_synthetic.xlsx"

with open(SRC, newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
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
        elif name in ("age", "dose_gy", "fractions", "isodose_pct", "ptv_cc", "ptv_coverage_pct"):
            cells.append(float(value))
        else:
            cells.append(value)
    ws.append(cells)
for col in ws.iter_cols(min_row=2):
    for cell in col:
        if isinstance(cell.value, datetime.date):
            cell.number_format = "yyyy-mm-dd"
# Fixed document properties so the file is reproducible byte for byte in content.
wb.properties.creator = "sbrt-outcomes"
wb.properties.created = datetime.datetime(2026, 1, 1)
wb.properties.modified = datetime.datetime(2026, 1, 1)
wb.save(DST)
print(f"wrote {DST}: {len(body)} rows")
