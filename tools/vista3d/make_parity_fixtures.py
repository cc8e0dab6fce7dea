#!/usr/bin/env python3
"""Rebuild test/fixtures/vista3d-small: the small VISTA3D and MONAI's answers for the parity tests.

    /work/shared/tools/monai-python tools/vista3d/make_parity_fixtures.py --scripts /path/to/model-zoo/models/vista3d/scripts \\
        [--configs /path/to/model-zoo/models/vista3d/configs]

1. exports the small VISTA3D (export_vista3d.py --random small --seed 0 --patch 64 --check) into models/;
2. writes ct_lps.nii.gz: the sample CT with its first two axes flipped and the affine changed to match (LPS),
   so every voxel keeps its world position;
3. runs tools/vista3d/monai_reference.py on cases.json at patch 64, one thread;
4. keeps per case, under ref/<name>/: pred.nii.gz (MONAI's output as uint8), margin.nii.gz (MONAI's decision
   margin, float32, clipped at 0.01 so that it compresses; only small margins matter to the tests) and
   prev_mask.nii.gz where a case uses one.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import nibabel as nib
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(REPO, "test", "fixtures", "vista3d-small")
SAMPLE = os.path.join(REPO, "bundle", "sample", "totalseg_example_ct_sm.nii.gz")
MARGIN_CLIP = 0.01


def write_lps(path):
    img = nib.load(SAMPLE)
    data = np.asanyarray(img.dataobj)[::-1, ::-1, :]
    flip = np.diag([-1.0, -1.0, 1.0, 1.0])
    flip[0, 3], flip[1, 3] = img.shape[0] - 1, img.shape[1] - 1  # new index i' = n - 1 - i
    affine = img.affine @ flip
    out = nib.Nifti1Image(np.ascontiguousarray(data), affine, img.header)
    out.set_sform(affine, code=1)
    out.set_qform(affine, code=1)
    nib.save(out, path)


def compact(src_folder, dst_folder):
    os.makedirs(dst_folder, exist_ok=True)
    preds = [os.path.join(d, f) for d, _, fs in os.walk(src_folder) for f in fs if f.endswith("_trans.nii.gz")]
    pred = nib.load(preds[0])
    values = np.asanyarray(pred.dataobj)
    out = nib.Nifti1Image(values.astype(np.uint8), pred.affine)
    out.set_data_dtype(np.uint8)
    nib.save(out, os.path.join(dst_folder, "pred.nii.gz"))
    margin = nib.load(os.path.join(src_folder, "margin.nii.gz"))
    m = np.minimum(np.asanyarray(margin.dataobj).astype(np.float32), MARGIN_CLIP)
    nib.save(nib.Nifti1Image(m, margin.affine), os.path.join(dst_folder, "margin.nii.gz"))
    if os.path.exists(os.path.join(src_folder, "prev_mask.nii.gz")):
        shutil.copy(os.path.join(src_folder, "prev_mask.nii.gz"), os.path.join(dst_folder, "prev_mask.nii.gz"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scripts", required=True, help="the model-zoo models/vista3d/scripts folder")
    ap.add_argument("--configs", default="/work/shared/reference/model-zoo-vista3d", help="the original inference.json and metadata.json")
    ap.add_argument("--only", help="comma-separated case names (default all; a prev_mask case needs its source case run before)")
    ap.add_argument("--work", help="keep MONAI's full outputs here (default a temp dir)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.work or scratch
        os.makedirs(tmp, exist_ok=True)
        weights = os.path.join(tmp, "small.pt")
        subprocess.run([sys.executable, os.path.join(HERE, "export_vista3d.py"), "--random", "small", "--seed", "0", "--patch", "64",
                        "--output", os.path.join(FIXTURES, "models"), "--save-weights", weights, "--check"], check=True)
        write_lps(os.path.join(FIXTURES, "ct_lps.nii.gz"))
        out = os.path.join(tmp, "ref")
        cmd = [sys.executable, os.path.join(HERE, "monai_reference.py"), "--configs", args.configs, "--scripts", args.scripts,
               "--weights", weights, "--arch", "small", "--cases", os.path.join(FIXTURES, "cases.json"), "--output", out,
               "--patch", "64", "--threads", "1"]
        if args.only:
            cmd += ["--only", args.only]
        subprocess.run(cmd, check=True)
        for name in sorted(args.only.split(",") if args.only else os.listdir(out)):
            compact(os.path.join(out, name), os.path.join(FIXTURES, "ref", name))
            print(f"ref/{name}: {sum(os.path.getsize(os.path.join(FIXTURES, 'ref', name, f)) for f in os.listdir(os.path.join(FIXTURES, 'ref', name)))} bytes")


if __name__ == "__main__":
    main()
