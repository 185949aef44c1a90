"""Write assets/ctcae_v5_terms.tsv from the NCI's CTCAE v5.0 spreadsheet.

Source: Common Terminology Criteria for Adverse Events (CTCAE) v5.0,
November 27, 2017, U.S. Department of Health and Human Services, National
Institutes of Health, National Cancer Institute; the file CTCAE_v5.0.xlsx
published by the NCI's Cancer Therapy Evaluation Program
(https://ctep.cancer.gov/protocoldevelopment/electronic_applications/ctc.htm),
sheet "CTCAE v5.0 Clean Copy". A work of the U.S. Government (public domain).

Usage: python3 assets/make_ctcae_terms.py CTCAE_v5.0.xlsx > assets/ctcae_v5_terms.tsv
(standard library only). Each row: MedDRA code, MedDRA SOC, CTCAE term, and
the grades the term defines (a grade whose cell is "-" is not defined).
"""
import sys
import xml.etree.ElementTree as ET
import zipfile

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def text(si):
    return "".join(t.text or "" for t in si.iter("{%s}t" % NS["m"]))


def main(path):
    z = zipfile.ZipFile(path)
    strings = [text(si) for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)]
    book = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    sheet = next(s for s in book.iter("{%s}sheet" % NS["m"]) if s.get("name") == "CTCAE v5.0 Clean Copy")
    root = ET.fromstring(z.read("xl/" + targets[sheet.get(REL)].lstrip("/").removeprefix("xl/")))
    out = sys.stdout
    out.write("# CTCAE v5.0 (NCI, November 27, 2017), sheet 'CTCAE v5.0 Clean Copy' of CTCAE_v5.0.xlsx;\n")
    out.write("# written by assets/make_ctcae_terms.py. Columns: MedDRA code, SOC, term, grades defined.\n")
    for row in root.findall(".//m:row", NS)[1:]:
        cells = {}
        for c in row.findall("m:c", NS):
            v = c.find("m:v", NS)
            if v is None:
                continue
            col = "".join(ch for ch in c.get("r") if ch.isalpha())
            cells[col] = strings[int(v.text)] if c.get("t") == "s" else v.text
        term = cells.get("C", "").strip()
        if not term:
            continue
        grades = "".join(str(g) for g, col in enumerate("DEFGH", 1) if cells.get(col, "").strip() not in ("", "-"))
        out.write(f"{cells['A'].strip()}\t{cells['B'].strip()}\t{' '.join(term.split())}\t{grades}\n")


if __name__ == "__main__":
    main(sys.argv[1])
