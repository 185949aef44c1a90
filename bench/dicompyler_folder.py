#!/usr/bin/env python3
"""dicompyler-core on a folder of plans, for the side-by-side timing of
`docs/dicom.md`: for each plan folder (RP.dcm, RD.dcm, RS.dcm, as
tests/reference/dicom_phantoms.py --bench writes them) the prescription and
the DVH of every structure `sbrt dicom` reports (PTV, spinal cord), with
get_dvh's defaults. Prints plans, structures, and the mean PTV D95.

    venv/bin/python bench/dicompyler_folder.py /tmp/plans100
"""
import os
import sys

from dicompylercore import dicomparser, dvhcalc

root = sys.argv[1]
n, d95 = 0, []
for name in sorted(os.listdir(root)):
    d = os.path.join(root, name)
    rs, rd = os.path.join(d, "RS.dcm"), os.path.join(d, "RD.dcm")
    dicomparser.DicomParser(os.path.join(d, "RP.dcm")).GetPlan()
    for number, s in dicomparser.DicomParser(rs).GetStructures().items():
        dvh = dvhcalc.get_dvh(rs, rd, number)
        n += 1
        if s["name"].startswith("PTV"):
            d95.append(dvh.statistic("D95").value)
print(len(os.listdir(root)), "plans,", n, "structures, mean PTV D95", sum(d95) / len(d95))
