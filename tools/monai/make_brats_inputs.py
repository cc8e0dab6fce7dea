#!/usr/bin/env python3
"""Makes the four-channel input of the brats_mri_segmentation zoo-parity case from the shared T1, so that
MONAI's and our LoadImaged stack four files with different contrasts (the bundle's channel order: T1c, T1, T2,
FLAIR). Deterministic (no random numbers); a rerun writes the same volumes.

    /work/shared/tools/monai-python tools/monai/make_brats_inputs.py [--shared ../shared] [--out test/fixtures/zoo-parity/inputs]

Source: ../shared/data/brain/brainchop_t1_crop_conformed.nii.gz (256^3, 1 mm, uint8, LIA; from
neuroneural/brainchop, MIT). Block: voxels [96:160, 96:160, 96:160] of the file (a 64 mm cube around the
brain's centre), taken with nibabel's slicer, so the affine's origin is the block's first voxel. Where the T1 is
below 40 (CSF and other dark voxels, 11% of the block) every channel is 0, so that NormalizeIntensityd's nonzero
mask has something to leave out, as in BraTS's skull-stripped images. Elsewhere, from the T1 value v (uint8), each channel rounded and clipped to [1, 255]:
  t1c:   v + 80 * exp(-|p - c|^2 / (2 * 10^2)), c = the block's centre voxel: a synthetic bright "enhancing" blob
  t1:    v
  t2:    256 - v (inverted contrast)
  flair: v * (0.6 + 0.8 * k / (nz - 1)), k the index along the block's last axis: a linear bias field
Written as uint8 NIfTI (brats_block_<name>.nii.gz); the files keep the MIT licence of their source.
"""
import argparse
import os

import nibabel as nib
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BLOCK = (slice(96, 160), slice(96, 160), slice(96, 160))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.environ.get("BUNDLE_SHARED_DIR", os.path.join(REPO, "..", "shared")))
    ap.add_argument("--out", default=os.path.join(REPO, "test", "fixtures", "zoo-parity", "inputs"))
    args = ap.parse_args()
    src = nib.load(os.path.join(args.shared, "data", "brain", "brainchop_t1_crop_conformed.nii.gz"))
    if src.shape != (256, 256, 256):
        raise SystemExit(f"error: expected the 256^3 conformed T1, got {src.shape}")
    block = src.slicer[BLOCK]
    v = np.asanyarray(block.dataobj).astype(np.float64)
    inside = v >= 40
    idx = np.indices(v.shape).astype(np.float64)
    centre = [(n - 1) / 2 for n in v.shape]
    r2 = sum((idx[a] - centre[a]) ** 2 for a in range(3))
    channels = {
        "t1c": v + 80 * np.exp(-r2 / (2 * 10.0**2)),
        "t1": v,
        "t2": 256 - v,
        "flair": v * (0.6 + 0.8 * idx[2] / (v.shape[2] - 1)),
    }
    os.makedirs(args.out, exist_ok=True)
    for name, values in channels.items():
        data = np.where(inside, np.clip(np.rint(values), 1, 255), 0).astype(np.uint8)
        img = nib.Nifti1Image(data, block.affine, block.header)
        img.set_data_dtype(np.uint8)
        img.header.set_slope_inter(1, 0)
        path = os.path.join(args.out, f"brats_block_{name}.nii.gz")
        tmp = path + ".tmp.nii.gz"
        nib.save(img, tmp)
        os.replace(tmp, path)
        print(f"{os.path.relpath(path, REPO)}: {data.shape}, {int(inside.sum())} voxels inside, {os.path.getsize(path) // 1024} KB")


if __name__ == "__main__":
    main()
