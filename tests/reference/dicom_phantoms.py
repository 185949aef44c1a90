#!/usr/bin/env python3
"""DICOM-RT phantoms with known answers, and a peer's figures on them.

Writes, for `sbrt dicom`'s accuracy tests (tests/dicom.rs), three phantom
plans as DICOM files an independent writer made (pydicom 2.4):

  sphere10  PTV_T10 a 10 cc sphere (CT slices 2 mm), SpinalCord a cylinder
            (radius 5 mm, 60 mm long, its axis 25 mm from the target's
            centre, its ends half a slice beyond its first and last plane),
            Shell a sphere of radius 12 mm with a hole of radius 6 mm
            (holes), Pair two spheres of radius 4 mm 20 mm either side
            (two contours per slice);
  sphere1   PTV_L2 a 1 cc sphere (slices 1 mm);
  sphere01  PTV_C5 a 0.1 cc sphere (slices 1 mm).

Each has an RT Plan (prescription in the Dose Reference Sequence and the
Fraction Group, two arcs), an RT Structure Set and an RT Dose on a 2 mm
grid holding the analytic dose D(p) = Dc exp(-|p - c|^2 / (2 s^2)),
Gaussian about the target's centre c, with s chosen so that the target's
surface gets 80 % of Dc, and the prescription the dose at the radius that
holds 95 % of the target (so V100 = 95 % and D95 = the prescription, exactly).

The truth (`tests/reference/dicom_truth.json`): volumes in closed form;
for the spheres and the shell the dose-volume figures in closed form (the
dose depends on the distance to c alone: the volume above dose d is a ball);
for the cord and the pair by integrating the analytic dose over the exact
solid on a 0.05 mm midpoint grid. The peer (`tests/reference/dicom_peer.json`):
dicompyler-core 0.5.6's `get_dvh` with its defaults (what a user gets) on
the same files, and its `GetPlan` prescription, plus its figures on the RT
test files that ship with pydicom (copied to tests/data/dicom/pydicom/).

    python3 -m venv venv && venv/bin/pip install pydicom==2.4.4 \
        dicompyler-core==0.5.6 numpy matplotlib shapely
    venv/bin/python tests/reference/dicom_phantoms.py tests/data/dicom

With `--bench N DIR` it writes N synthetic SBRT plans instead (plan, 2 mm
dose grid, structures; no CT), the folder the speed figure of
`docs/dicom.md` is measured on.
"""

import json
import math
import os
import shutil
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ImplicitVRLittleEndian, ExplicitVRLittleEndian

RT_PLAN = "1.2.840.10008.5.1.4.1.1.481.5"
RT_DOSE = "1.2.840.10008.5.1.4.1.1.481.2"
RT_STRUCT = "1.2.840.10008.5.1.4.1.1.481.3"
ROOT = "1.2.826.0.1.3680043.10.1147."  # a private root for test UIDs


def uid(*parts):
    return ROOT + ".".join(str(p) for p in parts)


def base(sop_class, sop_uid, patient, modality, date, ts):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ts
    meta.ImplementationClassUID = ROOT + "1"
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = True
    ds.is_implicit_VR = ts == ImplicitVRLittleEndian
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop_uid
    ds.Modality = modality
    ds.PatientID = patient["id"]
    ds.PatientName = "Phantom^" + patient["id"]
    ds.StudyInstanceUID = patient["study"]
    ds.SeriesInstanceUID = sop_uid + ".1"
    ds.StudyDate = date
    ds.FrameOfReferenceUID = patient["frame"]
    return ds


def circle(cx, cy, z, r, n=128):
    pts = []
    for k in range(n):
        a = 2 * math.pi * k / n
        pts += [cx + r * math.cos(a), cy + r * math.sin(a), z]
    return pts


def slice_planes(lo, hi, t, offset):
    """Planes z = offset + k t inside (lo, hi)."""
    k0 = math.ceil((lo - offset) / t)
    out = []
    z = offset + k0 * t
    while z < hi:
        if z > lo:
            out.append(round(z, 6))
        z += t
    return out


def sphere_contours(c, r, t, offset, n=128):
    out = []
    for z in slice_planes(c[2] - r, c[2] + r, t, offset):
        rr = math.sqrt(max(r * r - (z - c[2]) ** 2, 0.0))
        if rr > 1e-6:
            out.append([circle(c[0], c[1], z, rr, n)])
    return out


def shell_contours(c, r_out, r_in, t, offset):
    out = []
    for z in slice_planes(c[2] - r_out, c[2] + r_out, t, offset):
        dz = z - c[2]
        ro = math.sqrt(max(r_out * r_out - dz * dz, 0))
        plane = [circle(c[0], c[1], z, ro)]
        if abs(dz) < r_in:
            plane.append(circle(c[0], c[1], z, math.sqrt(r_in * r_in - dz * dz)))
        out.append(plane)
    return out


def pair_contours(c, r, dx, t, offset):
    out = []
    for z in slice_planes(c[2] - r, c[2] + r, t, offset):
        rr = math.sqrt(max(r * r - (z - c[2]) ** 2, 0))
        if rr > 1e-6:
            out.append([circle(c[0] - dx, c[1], z, rr), circle(c[0] + dx, c[1], z, rr)])
    return out


def cylinder_contours(axis_x, axis_y, r, z0, z1, t, offset):
    return [[circle(axis_x, axis_y, z, r)] for z in slice_planes(z0, z1, t, offset)]


def gaussian(c, s, dc):
    def dose(x, y, z):
        return dc * np.exp(-((x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2) / (2 * s * s))

    return dose


def write_struct(path, patient, rois, date):
    sop = patient["rs"]
    ds = base(RT_STRUCT, sop, patient, "RTSTRUCT", date, ImplicitVRLittleEndian)
    ds.StructureSetLabel = "phantom"
    ds.StructureSetDate = date
    fr = Dataset()
    fr.FrameOfReferenceUID = patient["frame"]
    ds.ReferencedFrameOfReferenceSequence = Sequence([fr])
    ssroi, contours, obs = [], [], []
    for number, (name, kind, planes) in enumerate(rois, start=1):
        item = Dataset()
        item.ROINumber = number
        item.ReferencedFrameOfReferenceUID = patient["frame"]
        item.ROIName = name
        item.ROIGenerationAlgorithm = "MANUAL"
        ssroi.append(item)
        rc = Dataset()
        rc.ReferencedROINumber = number
        rc.ROIDisplayColor = [255, 0, 0]
        seq = []
        for plane in planes:
            for pts in plane:
                ci = Dataset()
                ci.ContourGeometricType = "CLOSED_PLANAR"
                ci.NumberOfContourPoints = len(pts) // 3
                ci.ContourData = [f"{v:.6f}" for v in pts]
                seq.append(ci)
        rc.ContourSequence = Sequence(seq)
        contours.append(rc)
        ob = Dataset()
        ob.ObservationNumber = number
        ob.ReferencedROINumber = number
        ob.RTROIInterpretedType = kind
        ob.ROIInterpreter = ""
        obs.append(ob)
    ds.StructureSetROISequence = Sequence(ssroi)
    ds.ROIContourSequence = Sequence(contours)
    ds.RTROIObservationsSequence = Sequence(obs)
    ds.save_as(path, write_like_original=False)


def write_plan(path, patient, label, date, rx, fractions, ts=ExplicitVRLittleEndian):
    ds = base(RT_PLAN, patient["rp"], patient, "RTPLAN", date, ts)
    ds.RTPlanLabel = label
    ds.RTPlanDate = date
    ds.RTPlanGeometry = "PATIENT"
    dr = Dataset()
    dr.DoseReferenceNumber = 1
    dr.DoseReferenceStructureType = "SITE"
    dr.DoseReferenceDescription = "PTV"
    dr.DoseReferenceType = "TARGET"
    dr.TargetPrescriptionDose = f"{rx:.6f}"
    ds.DoseReferenceSequence = Sequence([dr])
    fg = Dataset()
    fg.FractionGroupNumber = 1
    fg.NumberOfFractionsPlanned = fractions
    fg.NumberOfBeams = 2
    fg.NumberOfBrachyApplicationSetups = 0
    refs = []
    beams = []
    for b in (1, 2):
        rb = Dataset()
        rb.ReferencedBeamNumber = b
        rb.BeamDose = f"{rx / fractions / 2:.6f}"
        rb.BeamMeterset = "1000.0"
        refs.append(rb)
        beam = Dataset()
        beam.BeamNumber = b
        beam.BeamName = f"Arc{b}"
        beam.BeamType = "DYNAMIC"
        beam.RadiationType = "PHOTON"
        beam.TreatmentDeliveryType = "TREATMENT"
        beam.NumberOfControlPoints = 3
        cps = []
        for k in range(3):
            cp = Dataset()
            cp.ControlPointIndex = k
            cp.GantryAngle = f"{(181 + 89 * k) % 360:.1f}"
            cp.GantryRotationDirection = ("CW" if b == 1 else "CC") if k < 2 else "NONE"
            cps.append(cp)
        beam.ControlPointSequence = Sequence(cps)
        beams.append(beam)
    # A setup field is not a treatment beam.
    setup = Dataset()
    setup.BeamNumber = 3
    setup.BeamName = "CBCT"
    setup.BeamType = "STATIC"
    setup.TreatmentDeliveryType = "SETUP"
    setup.NumberOfControlPoints = 2
    beams.append(setup)
    fg.ReferencedBeamSequence = Sequence(refs)
    ds.FractionGroupSequence = Sequence([fg])
    ds.BeamSequence = Sequence(beams)
    rs = Dataset()
    rs.ReferencedSOPClassUID = RT_STRUCT
    rs.ReferencedSOPInstanceUID = patient["rs"]
    ds.ReferencedStructureSetSequence = Sequence([rs])
    ds.save_as(path, write_like_original=False)


def write_dose(path, patient, date, origin, shape, spacing, dose):
    """A dose grid: shape (frames, rows, columns), spacing (dx, dy, dz)."""
    nz, ny, nx = shape
    dx, dy, dz = spacing
    xs = origin[0] + dx * np.arange(nx)
    ys = origin[1] + dy * np.arange(ny)
    zs = origin[2] + dz * np.arange(nz)
    Z, Y, X = np.meshgrid(zs, ys, xs, indexing="ij")
    d = dose(X, Y, Z)
    scaling = float(d.max()) / 4.0e9
    pixels = np.rint(d / scaling).astype(np.uint32)
    ds = base(RT_DOSE, patient["rd"], patient, "RTDOSE", date, ExplicitVRLittleEndian)
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.NumberOfFrames = nz
    ds.FrameIncrementPointer = pydicom.tag.Tag(0x3004, 0x000C)
    ds.Rows = ny
    ds.Columns = nx
    ds.PixelSpacing = [f"{dy:.4f}", f"{dx:.4f}"]
    ds.ImagePositionPatient = [f"{v:.4f}" for v in origin]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.GridFrameOffsetVector = [f"{dz * k:.4f}" for k in range(nz)]
    ds.BitsAllocated = 32
    ds.BitsStored = 32
    ds.HighBit = 31
    ds.PixelRepresentation = 0
    ds.DoseUnits = "GY"
    ds.DoseType = "PHYSICAL"
    ds.DoseSummationType = "PLAN"
    ds.DoseGridScaling = f"{scaling:.10e}"
    rp = Dataset()
    rp.ReferencedSOPClassUID = RT_PLAN
    rp.ReferencedSOPInstanceUID = patient["rp"]
    ds.ReferencedRTPlanSequence = Sequence([rp])
    ds.PixelData = pixels.tobytes()
    ds.save_as(path, write_like_original=False)


# --- the truth --------------------------------------------------------------


def radial_metrics(r_in, r_out, s, dc, rx):
    """Dose-volume figures of the shell r_in <= |p - c| <= r_out (a ball when
    r_in = 0) in the dose Dc exp(-r^2 / 2 s^2): the volume above dose d is the
    shell between r_in and r(d) = s sqrt(2 ln(Dc / d))."""

    def dose(r):
        return dc * math.exp(-r * r / (2 * s * s))

    def radius_of(d):
        return s * math.sqrt(2 * math.log(dc / d))

    vol = 4 / 3 * math.pi * (r_out**3 - r_in**3)

    def d_at_volume(v):  # the dose d with volume(dose >= d) = v
        if v > vol:
            return None
        return dose((r_in**3 + v * 3 / (4 * math.pi)) ** (1 / 3))

    # mean: (1/V) integral 4 pi r^2 D(r) dr, by composite Simpson, 20000 steps
    n = 20000
    h = (r_out - r_in) / n
    acc = 0.0
    for k in range(n + 1):
        r = r_in + k * h
        w = 1 if k in (0, n) else (4 if k % 2 else 2)
        acc += w * 4 * math.pi * r * r * dose(r)
    mean = acc * h / 3 / vol
    r_rx = radius_of(rx) if rx < dc else 0.0
    v100 = (min(max(r_rx, r_in), r_out) ** 3 - r_in**3) * 4 / 3 * math.pi / vol * 100
    return {
        "volume_cc": vol / 1000,
        "dmin_gy": dose(r_out),
        "dmax_gy": dose(r_in),
        "dmean_gy": mean,
        "d95_gy": d_at_volume(0.95 * vol),
        "d0035cc_gy": d_at_volume(35.0),
        "d1_2cc_gy": d_at_volume(1200.0),
        "v100_pct": v100,
    }


def sampled_metrics(inside, box, exact_volume, dose, rx, h=0.05):
    """The same figures by the midpoint rule on an h grid over `box`, for
    solids whose dose has no closed form; `exact_volume` in mm^3."""
    (x0, x1), (y0, y1), (z0, z1) = box
    xs = np.arange(x0 + h / 2, x1, h)
    ys = np.arange(y0 + h / 2, y1, h)
    values = []
    for z in np.arange(z0 + h / 2, z1, h):
        X, Y = np.meshgrid(xs, ys, indexing="ij")
        m = inside(X, Y, z)
        if m.any():
            values.append(dose(X[m], Y[m], z))
    d = np.sort(np.concatenate(values))[::-1]
    w = exact_volume / d.size

    def d_at_volume(v):
        if v > exact_volume:
            return None
        return float(d[min(int(v / w), d.size - 1)])

    return {
        "volume_cc": exact_volume / 1000,
        "dmin_gy": float(d[-1]),
        "dmax_gy": float(d[0]),
        "dmean_gy": float(d.mean()),
        "d95_gy": d_at_volume(0.95 * exact_volume),
        "d0035cc_gy": d_at_volume(35.0),
        "d1_2cc_gy": d_at_volume(1200.0),
        "v100_pct": float((d >= rx).mean() * 100),
    }


# --- the phantoms -------------------------------------------------------------


def phantom(name, volume_cc, slice_mm, fractions, rx_total, level, number, extras):
    r = (volume_cc * 1000 * 3 / (4 * math.pi)) ** (1 / 3)
    s = r / math.sqrt(2 * math.log(1 / 0.8))
    c = (2.0, -4.0, 10.0)  # on a dose grid node
    r95 = r * 0.95 ** (1 / 3)
    dc = rx_total / math.exp(-r95 * r95 / (2 * s * s))
    patient = {
        "id": f"PHANTOM{number}",
        "study": uid(number, 1),
        "frame": uid(number, 2),
        "rp": uid(number, 3),
        "rd": uid(number, 4),
        "rs": uid(number, 5),
    }
    offset = c[2] + 0.3  # slices not centred on the sphere
    rois = [(f"PTV_{level}", "PTV", sphere_contours(c, r, slice_mm, offset))]
    truth = {f"PTV_{level}": radial_metrics(0.0, r, s, dc, rx_total)}
    dose = gaussian(c, s, dc)
    half = max(3 * r, 20.0)
    lo = [c[0] - half, c[1] - half, c[2] - half]
    hi = [c[0] + half, c[1] + half, c[2] + half]
    for extra in extras:
        if extra == "cord":
            # the cylinder's 60 mm tiled exactly by the slabs of its planes
            ax, ay, rc = c[0], c[1] + 25.0, 5.0
            z0 = offset - slice_mm / 2 - slice_mm * round(30.0 / slice_mm)
            z1 = z0 + slice_mm * round(60.0 / slice_mm)
            rois.append(("SpinalCord", "ORGAN", cylinder_contours(ax, ay, rc, z0, z1, slice_mm, offset)))
            truth["SpinalCord"] = sampled_metrics(
                lambda X, Y, z: (X - ax) ** 2 + (Y - ay) ** 2 <= rc * rc,
                ((ax - rc, ax + rc), (ay - rc, ay + rc), (z0, z1)),
                math.pi * rc * rc * (z1 - z0),
                dose,
                rx_total,
            )
            lo[1] = min(lo[1], ay - rc - 6)
            hi[1] = max(hi[1], ay + rc + 6)
            lo[2] = min(lo[2], z0 - 4)
            hi[2] = max(hi[2], z1 + 4)
        elif extra == "shell":
            rois.append(("Shell", "ORGAN", shell_contours(c, 12.0, 6.0, slice_mm, offset)))
            truth["Shell"] = radial_metrics(6.0, 12.0, s, dc, rx_total)
        elif extra == "pair":
            rp_, dx = 4.0, 20.0
            rois.append(("Pair", "ORGAN", pair_contours(c, rp_, dx, slice_mm, offset)))
            truth["Pair"] = sampled_metrics(
                lambda X, Y, z: np.minimum((X - c[0] + dx) ** 2, (X - c[0] - dx) ** 2) + (Y - c[1]) ** 2 + (z - c[2]) ** 2
                <= rp_ * rp_,
                ((c[0] - dx - rp_, c[0] + dx + rp_), (c[1] - rp_, c[1] + rp_), (c[2] - rp_, c[2] + rp_)),
                2 * 4 / 3 * math.pi * rp_**3,
                dose,
                rx_total,
            )
            lo[0] = min(lo[0], c[0] - dx - rp_ - 6)
            hi[0] = max(hi[0], c[0] + dx + rp_ + 6)
    spacing = 2.0
    origin = [c[k] - spacing * math.ceil((c[k] - lo[k]) / spacing) for k in range(3)]
    shape = tuple(int(math.ceil((hi[k] - origin[k]) / spacing)) + 1 for k in (2, 1, 0))
    meta = {
        "patient_id": patient["id"],
        "plan": f"SBRT {level}",
        "plan_date": "20200115",
        "prescription_gy": rx_total,
        "fractions": fractions,
        "sigma_mm": s,
        "dc_gy": dc,
        "target_radius_mm": r,
        "slice_mm": slice_mm,
        "structures": truth,
    }
    return name, patient, rois, (origin, shape, (spacing,) * 3, dose), meta


PHANTOMS = [
    ("sphere10", 10.0, 2.0, 2, 24.0, "T10", 1, ["cord", "shell", "pair"]),
    ("sphere1", 1.0, 1.0, 3, 27.0, "L2", 2, []),
    ("sphere01", 0.1, 1.0, 1, 18.0, "C5", 3, []),
]


def write_phantom(folder, spec):
    name, patient, rois, (origin, shape, spacing, dose), meta = phantom(*spec)
    d = os.path.join(folder, name)
    os.makedirs(d, exist_ok=True)
    write_struct(os.path.join(d, "RS.dcm"), patient, rois, meta["plan_date"])
    write_plan(os.path.join(d, "RP.dcm"), patient, meta["plan"], meta["plan_date"], meta["prescription_gy"], meta["fractions"])
    write_dose(os.path.join(d, "RD.dcm"), patient, meta["plan_date"], origin, shape, spacing, dose)
    return d, rois, meta


def peer_figures(folder, rois, rx):
    from dicompylercore import dicomparser, dvhcalc

    out = {}
    rs = dicomparser.DicomParser(os.path.join(folder, "RS.dcm"))
    plan = dicomparser.DicomParser(os.path.join(folder, "RP.dcm")).GetPlan()
    structures = rs.GetStructures()
    for number, (name, _, _) in enumerate(rois, start=1):
        dvh = dvhcalc.get_dvh(os.path.join(folder, "RS.dcm"), os.path.join(folder, "RD.dcm"), number)
        coords = rs.GetStructureCoordinates(number)
        thickness = rs.CalculatePlaneThickness(coords)
        vol = dvh.volume

        def dose_at(v):
            return None if v > vol else float(dvh.statistic(f"D{v}cc").value)

        out[name] = {
            "volume_cc": float(vol),
            "structure_volume_cc": float(rs.CalculateStructureVolume(coords, thickness)),
            "dmin_gy": float(dvh.min),
            "dmax_gy": float(dvh.max),
            "dmean_gy": float(dvh.mean),
            "d95_gy": float(dvh.statistic("D95").value),
            "d0035cc_gy": dose_at(0.035),
            "d1_2cc_gy": dose_at(1.2),
            "v100_pct": float(dvh.relative_volume.statistic(f"V{rx}Gy").value),
        }
        assert structures[number]["name"] == name
    return {"prescription_gy": plan["rxdose"] / 100, "structures": out}


def pydicom_files(folder):
    """Copy pydicom's RT test files (MIT licence, pydicom/data/test_files) and
    record what dicompyler-core reads from them."""
    from dicompylercore import dicomparser

    src = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")
    dst = os.path.join(folder, "pydicom")
    os.makedirs(dst, exist_ok=True)
    for f in ("rtplan.dcm", "rtdose.dcm", "rtstruct.dcm", "rtdose_rle.dcm", "CT_small.dcm"):
        shutil.copy(os.path.join(src, f), os.path.join(dst, f))
    plan = dicomparser.DicomParser(os.path.join(dst, "rtplan.dcm")).GetPlan()
    rs = dicomparser.DicomParser(os.path.join(dst, "rtstruct.dcm"))
    structures = {}
    for number, s in rs.GetStructures().items():
        coords = rs.GetStructureCoordinates(number)
        if coords:
            t = rs.CalculatePlaneThickness(coords)
            structures[s["name"]] = {"planes": len(coords), "thickness_mm": t,
                                     "structure_volume_cc": rs.CalculateStructureVolume(coords, t)}
    ds = pydicom.dcmread(os.path.join(dst, "rtdose.dcm"))
    dose = ds.pixel_array * float(ds.DoseGridScaling)
    return {
        "rtplan": {"label": plan["label"], "prescription_gy": plan["rxdose"] / 100,
                   "fractions": int(ds_fractions(os.path.join(dst, "rtplan.dcm")))},
        "rtstruct": structures,
        "rtdose": {"frames": int(ds.NumberOfFrames), "rows": int(ds.Rows), "columns": int(ds.Columns),
                   "max": float(dose.max()), "mean": float(dose.mean()), "units": ds.DoseUnits},
    }


def ds_fractions(path):
    return pydicom.dcmread(path).FractionGroupSequence[0].NumberOfFractionsPlanned


def bench(n, folder):
    """N synthetic SBRT plans: PTV sphere of 8-60 cc on 1.5 mm slices and a
    cord, dose on a 2 mm grid 96 x 96 x 64 mm wide and deep."""
    rng = np.random.default_rng(7)
    for k in range(n):
        vol = float(rng.uniform(8, 60))
        spec = ("plan%03d" % k, vol, 1.5, 3, 27.0, "T%d" % (k % 12 + 1), 1000 + k, ["cord"])
        write_phantom(folder, spec)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--bench":
        bench(int(sys.argv[2]), sys.argv[3])
        return
    folder = sys.argv[1]
    truth, peer = {}, {"tool": "dicompyler-core 0.5.6, get_dvh defaults", "phantoms": {}}
    for spec in PHANTOMS:
        d, rois, meta = write_phantom(os.path.join(folder, "phantoms"), spec)
        truth[spec[0]] = meta
        peer["phantoms"][spec[0]] = peer_figures(d, rois, meta["prescription_gy"])
    peer["pydicom"] = pydicom_files(folder)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "dicom_truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
    with open(os.path.join(here, "dicom_peer.json"), "w") as f:
        json.dump(peer, f, indent=1)


if __name__ == "__main__":
    main()
