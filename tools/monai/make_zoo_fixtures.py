#!/usr/bin/env python3
"""Writes the zoo-parity fixtures: for each case of test/fixtures/zoo-parity/cases.json, a small network of the
bundle's own class with seeded random weights, and MONAI's answer for it on a shared image.

    /work/shared/tools/monai-python tools/monai/make_zoo_fixtures.py [--only spleen_ct_segmentation,...]
        [--full --out DIR] [--shared ../shared]

Per case, into test/fixtures/zoo-parity/<bundle>/ (or DIR/<bundle>/ with --out):
  model.onnx          export_network.py --seed 0 --balance, with the case's network overrides (--set)
  segmentation.nii.gz MONAI's saved output (reference.py: MONAI's ConfigParser and transforms, loop restated)
  margin.f32.gz       per voxel, how far MONAI's decision was from going the other way, C-order float32,
                      gzipped: where the first AsDiscreted takes the argmax, the top-1 minus top-2 class
                      probability, rounded up to MARGIN_STEP; where it thresholds (each channel against t), the
                      smallest |p - t| over the channels (a voxel whose every channel is that far from t has the same
                      binary channels, so the same output whatever the later transforms make of them). In output
                      space, or in network space where the decision comes before Invertd (provenance margin.space).
                      Values at or above MARGIN_CAP are stored as MARGIN_CAP (only near-ties matter to the test; cap
                      and step make the file compress)
  raw.f32.gz          MONAI's raw network output for the stage-wise test, C-order float32, gzipped; left out
                      (and said so in provenance.json) when larger than --max_raw_mb
  provenance.json     MONAI version and commit, torch version, seed, overrides, the commands, array shapes
--full ignores the `network` overrides (the bundle's own network size; `compat` ones stay), also keeps weights.pt (the state dict
MONAI loaded), and needs --out: the heavy parity test and the zoo bench use it; nothing full-size is committed.
"""
import argparse
import gzip
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

import numpy as np

from overrides import override_args

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CASES = os.path.join(REPO, "test", "fixtures", "zoo-parity", "cases.json")
MIRROR = "/work/.mirror/Project-MONAI+MONAI/repo"
MARGIN_STEP = 1e-4
MARGIN_CAP = 0.002
SEED = 0


def datalist(case, image):
    """`image` is one path, or a list of paths for a multi-file image (LoadImaged stacks them as channels)."""
    form = case.get("datalist", "paths")
    if form == "paths":
        return [image]
    if form == "dicts":
        return [{"image": image}]
    sys.exit(f"error: {CASES}: case {case['bundle']}: datalist must be \"paths\" or \"dicts\", not {form!r}")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed (exit {r.returncode}):\n{r.stderr[-4000:]}")
    return r.stdout


def read_f32(folder, name):
    with open(os.path.join(folder, f"{name}.json")) as f:
        info = json.load(f)
    return np.fromfile(os.path.join(folder, f"{name}.f32"), dtype=np.float32).reshape(info["shape"]), info


def write_gz(path, array):
    tmp = path + ".tmp"
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(np.ascontiguousarray(array, dtype=np.float32).tobytes())
    os.replace(tmp, path)


def decision_margin(probs, decision):
    """Per voxel, how far the first AsDiscreted's decision was from going the other way (see margin.f32.gz above)."""
    if "threshold" in decision:
        return np.minimum(np.abs(probs - np.float32(decision["threshold"])).min(axis=0), MARGIN_CAP).astype(np.float32)
    # rounded up to MARGIN_STEP (the test's near-tie bound, 1e-3, is a multiple of it, so rounding up never makes a
    # near-tie of a voxel that is not one): a 105-class network has a margin below the cap almost everywhere, and
    # unrounded float32 margins of wholeBody's 2.9M network voxels were 8.3 MB gzipped, 1.5 MB rounded
    top = np.sort(probs, axis=0)
    return np.minimum(np.ceil((top[-1] - top[-2]) / MARGIN_STEP) * MARGIN_STEP, MARGIN_CAP).astype(np.float32)


def monai_commit():
    if os.environ.get("MONAI_COMMIT"):
        return os.environ["MONAI_COMMIT"]
    r = subprocess.run(["git", "-C", MIRROR, "rev-parse", "HEAD"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else "unknown (set MONAI_COMMIT)"


def rel(path):
    return os.path.relpath(path, REPO) if os.path.abspath(path).startswith(REPO + os.sep) else path


def case_image(case, shared):
    """The case's input: one path, or a list of paths where image_in_repo is a list (a multi-file image)."""
    if "image_in_repo" in case:
        given = case["image_in_repo"]
        images = [os.path.join(os.path.dirname(CASES), f) for f in (given if isinstance(given, list) else [given])]
    else:
        given, images = case["image"], [os.path.join(shared, case["image"])]
    for image in images:
        if not os.path.exists(image):
            sys.exit(f"error: {case['bundle']}: the input image {image} does not exist (cases.json: 'image' is relative to ../shared, "
                     f"'image_in_repo' (a path or a list of paths) to {rel(os.path.dirname(CASES))})")
    return images if isinstance(given, list) else images[0]


def first_file(image):
    return image[0] if isinstance(image, list) else image


def commands(case, image, out, weights, ref, full):
    """The export_network.py and reference.py command lines of a case (--full: the bundle's own network size)."""
    bundle = os.path.join(REPO, "test", "fixtures", "zoo", case["bundle"])
    sets = override_args(case.get("compat")) + ([] if full else override_args(case.get("network")))
    export = [sys.executable, os.path.join(HERE, "export_network.py"), bundle, "--config", case["config"],
              "--seed", str(SEED), "--balance", "--save_weights", weights, "--out", os.path.join(out, "model.onnx")]
    export += [a for s in sets for a in ("--set", s)] + (["--opset", str(case["opset"])] if "opset" in case else [])
    reference = [sys.executable, os.path.join(HERE, "reference.py"), bundle, "--config", case["config"], "--weights", weights,
                 "--set", f"{case.get('datalist_id', 'datalist')}={json.dumps(datalist(case, image))}", "--out", ref]
    reference += [a for i in case.get("image_dir_ids", []) for a in ("--set", f"{i}={json.dumps(os.path.dirname(first_file(image)))}")]
    reference += [a for s in sets for a in ("--set", s)]
    return export, reference


def make(case, shared, out_root, full, max_raw_mb):
    import monai
    import nibabel
    import torch

    image = case_image(case, shared)
    out = os.path.join(out_root, case["bundle"])
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"zoo-fixture-{case['bundle']}-") as work:
        weights = os.path.join(out if full else work, "weights.pt")
        ref = os.path.join(work, "ref")
        export, reference = commands(case, image, out, weights, ref, full)
        print(run(export).strip())
        run(reference)
        saved = os.path.join(ref, "monai", case["output"])
        if not os.path.exists(saved):
            written = [os.path.relpath(os.path.join(d, f), os.path.join(ref, "monai")) for d, _, fs in os.walk(os.path.join(ref, "monai")) for f in fs]
            sys.exit(f"error: {case['bundle']}: MONAI did not write {case['output']} (cases.json 'output'); it wrote {written}")
        shutil.copyfile(saved, os.path.join(out, "segmentation.nii.gz"))
        seg_shape = list(nibabel.load(saved).shape)
        probs, probs_info = read_f32(ref, "probs_0")
        # a decision before Invertd: the probabilities are in network space; the test maps near-ties through the inverse
        space = "output" if list(probs.shape[1:]) == seg_shape[: probs.ndim - 1] else "network"
        write_gz(os.path.join(out, "margin.f32.gz"), decision_margin(probs, probs_info["decision"]))
        raw, _ = read_f32(ref, "raw_0")
        write_gz(os.path.join(out, "raw.f32.gz"), raw)
        raw_mb = os.path.getsize(os.path.join(out, "raw.f32.gz")) / 2**20
        stagewise = None
        if raw_mb > max_raw_mb:
            os.remove(os.path.join(out, "raw.f32.gz"))
            stagewise = f"raw network output is {raw_mb:.1f} MB gzipped (> {max_raw_mb} MB), not committed"
    provenance = {
        "bundle": case["bundle"],
        "config": case["config"],
        "image": case.get("image") or case["image_in_repo"],
        "datalist": case.get("datalist", "paths"),
        "output": case["output"],
        "monai": {"version": monai.__version__, "commit": monai_commit()},
        "torch": torch.__version__,
        "seed": SEED,
        "network_overrides": {**case.get("compat", {}), **({} if full else case.get("network", {}))},
        "generator": shlex.join(["tools/monai/make_zoo_fixtures.py", "--only", case["bundle"]] + (["--full"] if full else [])),
        "commands": [shlex.join(rel(os.path.abspath(a)) if os.sep in a else a for a in cmd).replace(shared, "../shared").replace(work, "<tmp>").replace(REPO + os.sep, "")
                     for cmd in (export, reference)],
        "margin": {"shape": list(probs.shape[1:]), "cap": MARGIN_CAP, "step": MARGIN_STEP, "space": space, "decision": probs_info["decision"]},
        "raw": {"shape": list(raw.shape)} if stagewise is None else {"shape": list(raw.shape), "absent": stagewise},
    }
    with open(os.path.join(out, "provenance.json"), "w") as f:
        json.dump(provenance, f, indent=2)
        f.write("\n")
    sizes = {n: round(os.path.getsize(os.path.join(out, n)) / 2**20, 2) for n in sorted(os.listdir(out))}
    print(f"{case['bundle']}: wrote {rel(out)} (MB: {sizes})" + (f"; stage-wise: {stagewise}" if stagewise else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated bundle names (default: every case)")
    ap.add_argument("--full", action="store_true", help="the bundle's own network size (needs --out; nothing to commit)")
    ap.add_argument("--out", help="folder to write <bundle>/ into (default test/fixtures/zoo-parity)")
    ap.add_argument("--shared", default=os.environ.get("BUNDLE_SHARED_DIR", os.path.join(REPO, "..", "shared")))
    ap.add_argument("--max_raw_mb", type=float, default=4.0)
    ap.add_argument("--print_reference", action="store_true",
                    help="with --full --out DIR --only B: print, as a JSON list, the reference.py command line for DIR/B (for bench/zoo.ts); run nothing")
    args = ap.parse_args()
    if args.full and not args.out:
        sys.exit("error: --full writes full-size networks, which are not committed: give --out DIR")
    with open(CASES) as f:
        cases = json.load(f)["cases"]
    only = args.only.split(",") if args.only else None
    unknown = set(only or []) - {c["bundle"] for c in cases}
    if unknown:
        sys.exit(f"error: --only {sorted(unknown)}: not in {rel(CASES)}")
    if args.print_reference:
        if not (args.full and args.out and only and len(only) == 1):
            sys.exit("error: --print_reference needs --full, --out and one bundle in --only")
        case = next(c for c in cases if c["bundle"] == only[0])
        out = os.path.join(os.path.abspath(args.out), case["bundle"])
        print(json.dumps(commands(case, case_image(case, os.path.abspath(args.shared)), out, os.path.join(out, "weights.pt"),
                                  os.path.join(out, "ref"), True)[1]))
        return
    for case in cases:
        if case.get("not_committed") and not args.out:
            print(f"{case['bundle']}: skipped, not committed: {case['not_committed']}")
        elif only is None or case["bundle"] in only:
            make(case, os.path.abspath(args.shared), os.path.abspath(args.out or os.path.dirname(CASES)), args.full, args.max_raw_mb)


if __name__ == "__main__":
    main()
