"""Small MONAI 1.5 reference outputs for the transform tests (test/fixtures/monai/<Transform>.json).

Run: ../shared/tools/monai-python tools/monai/transform_references.py [Transform ...]
Each file holds cases {name, args, input: {key: array}, output: {key: array}}; an array is
{shape, dtype, data} with data flattened in C order (float32 values written exactly as float64 numbers).
Inputs are seeded (numpy default_rng(seed)), so a rerun writes the same files.
"""
import json
import os
import sys

import numpy as np
import torch
import monai
from monai.transforms import NormalizeIntensityd

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "monai")


def arr(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x)
    dtype = str(x.dtype)
    return {"shape": list(x.shape), "dtype": dtype, "data": [v.item() for v in x.reshape(-1)]}


def affine_of(x):
    if isinstance(x, monai.data.MetaTensor):
        return x.affine.numpy().tolist()
    return None


def case(name, transform_cls, args, inputs):
    t = transform_cls(**args)
    recorded = {k: arr(v) if isinstance(v, np.ndarray) else v for k, v in inputs.items()}
    # copies: some MONAI transforms write into their input tensor
    data = {k: (monai.data.MetaTensor(torch.tensor(v.copy())) if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}
    out = t(data)
    return {
        "name": name,
        "args": args,
        "input": recorded,
        "output": {k: (arr(v) if isinstance(v, (torch.Tensor, np.ndarray)) else v) for k, v in out.items()},
        "affine": {k: affine_of(v) for k, v in out.items() if isinstance(v, monai.data.MetaTensor)},
    }


def normalize_intensity():
    rng = np.random.default_rng(10)
    img = (rng.normal(100, 40, size=(2, 5, 4, 3))).astype(np.float32)
    img[:, 0] = 0  # zero slab for nonzero
    img_int = rng.integers(-50, 300, size=(1, 4, 3, 3)).astype(np.int16)
    const = np.full((1, 3, 2, 2), 7, dtype=np.float32)
    return [
        case("default", NormalizeIntensityd, {"keys": "image"}, {"image": img}),
        case("nonzero", NormalizeIntensityd, {"keys": "image", "nonzero": True}, {"image": img}),
        case("channel_wise", NormalizeIntensityd, {"keys": "image", "channel_wise": True}, {"image": img}),
        case("nonzero_channel_wise", NormalizeIntensityd, {"keys": "image", "nonzero": True, "channel_wise": True}, {"image": img}),
        case("subtrahend_divisor", NormalizeIntensityd, {"keys": "image", "subtrahend": 100.0, "divisor": 40.0}, {"image": img}),
        case("channel_wise_lists", NormalizeIntensityd, {"keys": "image", "channel_wise": True, "subtrahend": [1.0, 2.0], "divisor": [3.0, 0.0]}, {"image": img}),
        case("int16_input", NormalizeIntensityd, {"keys": "image"}, {"image": img_int}),
        case("int16_keep_dtype", NormalizeIntensityd, {"keys": "image", "dtype": None}, {"image": img_int}),
        case("constant", NormalizeIntensityd, {"keys": "image"}, {"image": const}),
    ]


def load_image():
    """LoadImaged with each reader name a zoo bundle writes, on a NIfTI fixture. Without itk/pydicom
    installed MONAI warns and falls back to NibabelReader, as it does for any reader that cannot read
    the suffix (PydicomReader on .nii.gz)."""
    from monai.transforms import LoadImaged

    fixture = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "image", "sform_las_int16.nii.gz")
    cases = []
    for reader in ["NibabelReader", "ITKReader", "PydicomReader"]:
        try:
            out = LoadImaged(keys="image", reader=reader)({"image": fixture})["image"]
        except Exception as e:  # noqa: BLE001 - recorded: the reader itself is not installed here
            cases.append({"name": reader, "args": {"keys": "image", "reader": reader}, "error": f"{type(e).__name__}: {e}"})
            continue
        cases.append({
            "name": reader,
            "args": {"keys": "image", "reader": reader},
            "input": {"image": "test/fixtures/image/sform_las_int16.nii.gz"},
            "output": {"image": arr(out[None] if out.ndim == 3 else out), "affine": affine_of(out)},
        })
    return cases


def crop_foreground():
    from monai.transforms import CropForegroundd

    rng = np.random.default_rng(11)
    img = -rng.uniform(0, 5, size=(2, 7, 6, 5)).astype(np.float32)
    img[0, 0:3, 1:4, 3:5] = rng.uniform(1, 9, size=(3, 3, 2)).astype(np.float32)  # touches x=0 and z=4
    label = rng.integers(0, 4, size=(1, 7, 6, 5)).astype(np.float32)
    cases = []
    for mode in ["constant", "edge", "replicate", "reflect", "symmetric", "wrap", "circular", "minimum", "maximum", "mean", "median"]:
        args = {"keys": ["image", "label"], "source_key": "image", "margin": [2, 1, 3], "mode": [mode, "constant"]}
        cases.append(case(f"margin_{mode}", CropForegroundd, args, {"image": img, "label": label}))
    for k in [4, [3, 5, 2]]:
        for allow in [False, True]:
            args = {"keys": "image", "source_key": "image", "k_divisible": k, "allow_smaller": allow, "mode": "minimum"}
            cases.append(case(f"k_divisible_{k}_allow_smaller_{allow}", CropForegroundd, args, {"image": img}))
    args = {"keys": "image", "source_key": "image", "margin": 1, "allow_smaller": True, "mode": "edge"}
    cases.append(case("allow_smaller_margin", CropForegroundd, args, {"image": img}))
    return cases


def decathlon_datalist():
    """monai.data.load_decathlon_datalist on test/fixtures/monai/datalist/datalist.json, paths made relative to
    the repository (run from the repository root) so that the fixture does not depend on where it lives."""
    from monai.data import load_decathlon_datalist

    file = "test/fixtures/monai/datalist/datalist.json"
    cases = []
    for kwargs in [{}, {"is_segmentation": False}, {"data_list_key": "validation"}, {"data_list_key": "test"},
                   {"data_list_key": "training", "base_dir": "test/fixtures/monai"}]:
        cases.append({"name": json.dumps(kwargs), "args": kwargs, "input": {"file": file}, "output": load_decathlon_datalist(file, **kwargs)})
    return cases


def save_image():
    """SaveImaged into a temporary folder: the written files' paths (relative to output_dir), stored dtype,
    affine and data (read back with nibabel, C order over [X, Y, Z])."""
    import tempfile

    import nibabel as nib
    from monai.transforms import SaveImaged

    rng = np.random.default_rng(12)
    data = rng.uniform(-3, 300, size=(1, 5, 4, 3)).astype(np.float32)
    data[0, 0, 0, :] = [2.7, -1.5, 255.9]
    a0 = np.array([[-2.0, 0, 0, 10], [0, 3.0, 0, -20], [0, 0, 4.0, 30], [0, 0, 0, 1]])
    # the current grid: 1.5x the spacing, shifted, smaller (as after Spacingd), so resample has work to do.
    # The offsets avoid exact nearest-neighbour ties (x.5 source indices): there torch's float64 grid
    # normalisation rounds either way, where ours rounds the exact coordinate half to even.
    a1 = np.array([[-3.0, 0, 0, 10.4], [0, 4.5, 0, -19.2], [0, 0, 6.0, 31.3], [0, 0, 0, 1]])
    cases = []
    for name, args, affine in [
        ("default", {}, a0),
        ("int16_no_folder", {"output_dtype": "int16", "separate_folder": False, "output_postfix": "seg"}, a0),
        ("uint8_nii", {"output_dtype": "uint8", "output_ext": ".nii"}, a0),
        ("keep_dtype_data_root", {"output_dtype": None, "data_root_dir": "/in", "output_postfix": ""}, a0),
        ("scale_ignored_for_nifti", {"scale": 255, "output_dtype": "uint8"}, a0),
        ("resample_nearest", {"resample": True}, a1),
        ("resample_bilinear", {"resample": True, "mode": "bilinear"}, a1),
        ("resample_bilinear_zeros", {"resample": True, "mode": "bilinear", "padding_mode": "zeros"}, a1),
        ("resample_on_original_grid", {"resample": True, "output_dtype": "int16"}, a0),
    ]:
        with tempfile.TemporaryDirectory() as out_dir:
            img = monai.data.MetaTensor(torch.tensor(data.copy()), affine=torch.tensor(affine),
                                        meta={"original_affine": torch.tensor(a0), "spatial_shape": np.array([6, 5, 4]),
                                              "filename_or_obj": "/in/p1/case.nii.gz"})
            kwargs = {"keys": "pred", "output_dir": out_dir, **args}
            SaveImaged(**kwargs)({"pred": img})
            written = []
            for root, _, files in os.walk(out_dir):
                for f in files:
                    full = os.path.join(root, f)
                    nii = nib.load(full)
                    written.append({"path": os.path.relpath(full, out_dir), "dtype": str(nii.get_data_dtype()),
                                    "affine": nii.affine.tolist(), "sform_code": int(nii.header["sform_code"]),
                                    "array": arr(np.asanyarray(nii.dataobj)[None])})
        cases.append({"name": name, "args": args, "input": {"pred": arr(data), "affine": affine.tolist(), "original_affine": a0.tolist(),
                      "spatial_shape": [6, 5, 4], "filename": "/in/p1/case.nii.gz"}, "output": {"files": written}})
    return cases


def keep_largest():
    """Blobs of distinct sizes (some touching only at an edge or a corner, so connectivity matters) plus
    sparse noise. Where the largest components tie in size, MONAI keeps whichever numpy's unstable argsort
    puts first, which depends on the numpy build; the generator refuses such inputs (checked per case)."""
    from skimage import measure
    from monai.transforms import KeepLargestConnectedComponentd

    rng = np.random.default_rng(13)
    lab = np.zeros((10, 9, 8), dtype=np.float32)
    lab[0:3, 0:3, 0:2] = 1          # 18
    lab[3:5, 3:5, 2:4] = 1          # 8, touches the first at a corner only
    lab[6:8, 6:9, 5:8] = 1          # 18 - 1 below
    lab[7, 8, 7] = 0
    lab[0:2, 5:9, 0:3] = 2          # 24
    lab[2:4, 3:5, 3:6] = 2          # 12, touches label 1's second blob along an edge
    lab[7:10, 0:3, 0:2] = 3         # 18
    lab[5:8, 0:3, 3:6] = 3          # 27, touches the 18 along an edge
    noise = (rng.uniform(size=lab.shape) < 0.06) & (lab == 0)
    lab[noise] = rng.integers(1, 4, size=int(noise.sum()))
    labels = lab[None]
    onehot = np.concatenate([(labels == c) for c in range(4)]).astype(np.float32)

    def check_no_tie(masks, connectivity, keep):
        for m in masks:
            f, n = measure.label(m, connectivity=connectivity, return_num=True)
            if n <= keep:
                continue
            counts = sorted(np.bincount(f[f > 0]).tolist(), reverse=True)
            assert counts[keep - 1] != counts[keep], f"tie at the kept boundary: {counts[:keep + 2]}"

    cases = []
    for args in [
        {},
        {"applied_labels": [1, 2]},
        {"applied_labels": [1, 2], "independent": False},
        {"applied_labels": 3, "connectivity": 1},
        {"connectivity": 2},
        {"independent": False, "connectivity": 1},
        {"num_components": 2, "connectivity": 1, "applied_labels": [1]},
    ]:
        applied = args.get("applied_labels", [1, 2, 3])
        applied = applied if isinstance(applied, list) else [applied]
        masks = [lab == a for a in applied] if args.get("independent", True) else [np.isin(lab, applied)]
        check_no_tie(masks, args.get("connectivity", 3), args.get("num_components", 1))
        cases.append(case(f"labels {json.dumps(args)}", KeepLargestConnectedComponentd, {"keys": "pred", **args}, {"pred": labels}))
    for args in [{}, {"applied_labels": [1, 3]}, {"is_onehot": True, "independent": False, "applied_labels": [1, 2]}, {"connectivity": 1}]:
        applied = args.get("applied_labels", [1, 2, 3])
        masks = [onehot[a] > 0 for a in applied] if args.get("independent", True) else [onehot[applied].max(0) > 0]
        check_no_tie(masks, args.get("connectivity", 3), 1)
        cases.append(case(f"onehot {json.dumps(args)}", KeepLargestConnectedComponentd, {"keys": "pred", **args}, {"pred": onehot}))
    return cases


def utility():
    """MapLabelValued, ConcatItemsd, SplitDimd, ToTensord on small seeded arrays (one file per transform)."""
    from monai.transforms import ConcatItemsd, MapLabelValued, SplitDimd, ToTensord

    rng = np.random.default_rng(14)
    labels = rng.integers(0, 5, size=(1, 4, 3, 2)).astype(np.float32)
    a = rng.normal(size=(2, 3, 4, 2)).astype(np.float32)
    b = rng.normal(size=(1, 3, 4, 2)).astype(np.float32)
    c = rng.normal(size=(2, 3, 1, 2)).astype(np.float32)
    ints = rng.integers(0, 9, size=(1, 3, 4, 2)).astype(np.uint8)
    return {
        "MapLabelValued": [
            case("chain_not_applied", MapLabelValued, {"keys": "seg", "orig_labels": [1, 2, 3], "target_labels": [2, 3, 10]}, {"seg": labels}),
            case("uint8", MapLabelValued, {"keys": "seg", "orig_labels": [4, 0], "target_labels": [1, 7], "dtype": "uint8"}, {"seg": labels}),
        ],
        "ConcatItemsd": [
            case("channels", ConcatItemsd, {"keys": ["a", "b"], "name": "ab"}, {"a": a, "b": b}),
            case("spatial_dim_2", ConcatItemsd, {"keys": ["a", "c"], "name": "ac", "dim": 2}, {"a": a, "c": c}),
            case("uint8_with_float", ConcatItemsd, {"keys": ["b", "i"], "name": "bi"}, {"b": b, "i": ints}),
        ],
        "SplitDimd": [
            case("channels", SplitDimd, {"keys": "a"}, {"a": a}),
            case("postfixes", SplitDimd, {"keys": "a", "output_postfixes": ["t1", "t2"]}, {"a": a}),
            case("spatial_dim_3", SplitDimd, {"keys": "b", "dim": 3}, {"b": b}),
        ],
        "ToTensord": [
            case("dtype", ToTensord, {"keys": "i", "dtype": "float32"}, {"i": ints}),
            case("no_dtype", ToTensord, {"keys": "i"}, {"i": ints}),
        ],
    }


def resized():
    from monai.transforms import Resized

    rng = np.random.default_rng(15)
    img = rng.normal(50, 20, size=(2, 9, 6, 5)).astype(np.float32)
    affine = np.array([[-1.5, 0, 0, 10], [0, 2.0, 0, -20], [0, 0, 3.0, 30], [0, 0, 0, 1]])
    cases = []
    for name, args in [
        ("area_down", {"spatial_size": [4, 3, 5]}),
        ("area_up_mixed", {"spatial_size": [11, 4, 7]}),
        ("nearest_down_up", {"spatial_size": [4, 13, 2], "mode": "nearest"}),
        ("nearest_double", {"spatial_size": [18, 12, 10], "mode": "nearest"}),
        ("nearest_exact", {"spatial_size": [4, 13, 2], "mode": "nearest-exact"}),
        ("bilinear", {"spatial_size": [5, 10, 3], "mode": "bilinear"}),
        ("trilinear_align_corners", {"spatial_size": [5, 10, 3], "mode": "trilinear", "align_corners": True}),
        ("minus_one_keeps_axis", {"spatial_size": [4, -1, 8], "mode": "bilinear"}),
        ("longest", {"spatial_size": 4, "size_mode": "longest", "mode": "area"}),
        ("longest_up", {"spatial_size": 20, "size_mode": "longest", "mode": "nearest"}),
        ("anti_aliasing", {"spatial_size": [3, 4, 5], "mode": "bilinear", "anti_aliasing": True}),
        ("anti_aliasing_area", {"spatial_size": [2, 3, 2], "anti_aliasing": True}),
        ("anti_aliasing_sigma", {"spatial_size": [4, 3, 7], "mode": "nearest", "anti_aliasing": True, "anti_aliasing_sigma": 0.8}),
        ("same_size", {"spatial_size": [9, 6, 5], "mode": "bilinear"}),
    ]:
        t = Resized(keys="image", **args)
        x = monai.data.MetaTensor(torch.tensor(img.copy()), affine=torch.tensor(affine))
        out = t({"image": x})["image"]
        cases.append({"name": name, "args": {"keys": "image", **args}, "input": {"image": arr(img), "affine": affine.tolist()},
                      "output": {"image": arr(out), "affine": affine_of(out)}})
    return cases


def slice_inferer():
    """SliceInferer with a fixed 2-D network (a 3x3 same-padded Conv2d, 1 -> 2 channels, seeded weights) over
    a small volume, along each spatial_dim; the test runs the same convolution as its predictor."""
    from monai.inferers import SliceInferer

    rng = np.random.default_rng(16)
    volume = rng.normal(size=(1, 1, 7, 9, 5)).astype(np.float32)
    weight = rng.normal(size=(2, 1, 3, 3)).astype(np.float32)
    bias = np.array([0.5, -0.25], dtype=np.float32)
    conv = torch.nn.Conv2d(1, 2, 3, padding=1)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(weight))
        conv.bias.copy_(torch.tensor(bias))
    cases = []
    for args in [
        {"roi_size": [4, 6], "sw_batch_size": 3, "spatial_dim": 0},
        {"roi_size": [4, 3], "sw_batch_size": 2, "spatial_dim": 1, "overlap": 0.5, "mode": "gaussian"},
        {"roi_size": [7, 9], "sw_batch_size": 4, "spatial_dim": 2},
        {"roi_size": [5, 5], "spatial_dim": 2, "overlap": 0.25, "padding_mode": "replicate"},
    ]:
        with torch.no_grad():
            out = SliceInferer(**args)(torch.tensor(volume), conv)
        cases.append({"name": json.dumps(args), "args": args, "input": {"image": arr(volume), "weight": arr(weight), "bias": arr(bias)},
                      "output": {"pred": arr(out)}})
    return cases


def spacing():
    """Spacingd on small int16 volumes with many zeros and opposite-sign neighbours (where float64 round-off
    decides between exactly 0 and +-1e-13), then NormalizeIntensityd(nonzero), which tells the two apart;
    plus torch.linspace(-1, 1, n) in float64, which affine_grid builds the sampling grid from."""
    from monai.transforms import Compose, Spacingd

    rng = np.random.default_rng(17)
    img = (rng.integers(-3, 4, size=(1, 9, 8, 7)) * 100).astype(np.int16)
    cases = []
    for name, affine, args in [
        ("upsample_ras", np.diag([3.0, 3.0, 3.0, 1.0]) + np.array([[0, 0, 0, -177.9563], [0, 0, 0, 11.319], [0, 0, 0, 94.3017], [0] * 4]), {"pixdim": [1.5, 1.5, 1.5]}),
        ("mixed_flips", np.diag([-0.8, 1.2, 2.5, 1.0]) + np.array([[0, 0, 0, 40.5], [0, 0, 0, -20.25], [0, 0, 0, 7.0], [0] * 4]), {"pixdim": [0.5, 0.7, 1.0]}),
        ("downsample", np.diag([0.976562, 0.976562, 1.25, 1.0]) + np.array([[0, 0, 0, -12.3], [0, 0, 0, 5.5], [0, 0, 0, -3.25], [0] * 4]), {"pixdim": [1.5, 2.0, 1.5]}),
        ("nearest", np.diag([3.0, 3.0, 3.0, 1.0]), {"pixdim": [1.5, 1.2, 2.0], "mode": "nearest"}),
        ("border", np.diag([1.0, 2.0, 3.0, 1.0]), {"pixdim": [0.7, 1.3, 1.1], "padding_mode": "border"}),
    ]:
        t = Compose([Spacingd(keys="image", **args), NormalizeIntensityd(keys="image", nonzero=True)])
        x = monai.data.MetaTensor(torch.tensor(img.copy()), affine=torch.tensor(affine))
        spaced = t.transforms[0]({"image": x})["image"]
        normalized = t.transforms[1]({"image": spaced.clone()})["image"]
        cases.append({"name": name, "args": {"keys": "image", **args}, "input": {"image": arr(img), "affine": affine.tolist()},
                      "output": {"image": arr(spaced), "affine": affine_of(spaced), "normalized_nonzero": arr(normalized)}})
    linspace = {str(n): torch.linspace(-1, 1, n, dtype=torch.float64).tolist() for n in [2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 59, 100, 201, 243]}
    return {"Spacingd": cases, "torch_linspace": [{"name": "float64", "args": {}, "input": {}, "output": linspace}]}


def channels_to_label():
    """The nested-torch.where Lambdad over channels (brats_mri_segmentation's, and variants) run by MONAI's Lambdad;
    "args" are ChannelsToLabeld's equivalent arguments (our extension; MONAI has no such class), "lambda" the func.
    NaN inputs are written as null."""
    from monai.transforms import Lambdad

    rng = np.random.default_rng(18)
    binary = (rng.random(size=(3, 4, 3, 2)) > 0.6).astype(np.float32)  # as after AsDiscreted(threshold=0.5)
    probs = rng.random(size=(3, 4, 3, 2)).astype(np.float32)
    probs[0, 0, 0] = np.float32(0.1)  # torch compares in float32: 0.1f > 0.1 is false there
    probs[1, 0, 1] = np.nan
    probs[2, 1, 0] = 0.5
    cases = []
    for name, func, args, x in [
        ("brats", "lambda x: torch.where(x[[2]] > 0, 4, torch.where(x[[0]] > 0, 1, torch.where(x[[1]] > 0, 2, 0)))",
         {"channels": [2, 0, 1], "labels": [4, 1, 2]}, binary),
        ("float32_threshold_nan", "lambda x: torch.where(x[[0]] > 0.1, 7, torch.where(x[[1]] > 0.1, 3, -1))",
         {"channels": [0, 1], "labels": [7, 3], "threshold": 0.1, "background": -1}, probs),
        ("less_equal_repeated_channel", "lambda x: torch.where(x[[2]] <= 0.5, 1, torch.where(x[[1]] <= 0.5, 2, torch.where(x[[2]] <= 0.5, 9, 5)))",
         {"channels": [2, 1, 2], "labels": [1, 2, 9], "threshold": 0.5, "comparison": "<=", "background": 5}, probs),
        ("not_equal_nan", "lambda x: torch.where(x[[1]] != 0.5, 1, 0)", {"channels": [1], "labels": [1], "threshold": 0.5, "comparison": "!="}, probs),
    ]:
        out = Lambdad(keys="pred", func=eval(func))({"pred": monai.data.MetaTensor(torch.tensor(x.copy()))})["pred"]
        recorded = arr(x)
        recorded["data"] = [None if v != v else v for v in recorded["data"]]  # NaN as null: JSON has no NaN
        cases.append({"name": name, "lambda": func, "args": {"keys": "pred", **args}, "input": {"pred": recorded}, "output": {"pred": arr(out)}})
    return cases


GENERATORS = {"ChannelsToLabeld": channels_to_label, "Spacingd": spacing, "SliceInferer": slice_inferer, "Resized": resized, "utility": utility, "KeepLargestConnectedComponentd": keep_largest, "SaveImaged": save_image, "load_decathlon_datalist": decathlon_datalist, "CropForegroundd": crop_foreground, "NormalizeIntensityd": normalize_intensity, "LoadImaged": load_image}


def main(names):
    os.makedirs(OUT, exist_ok=True)
    for name in names or GENERATORS:
        result = GENERATORS[name]()
        for file, cases in (result.items() if isinstance(result, dict) else [(name, result)]):
            with open(os.path.join(OUT, f"{file}.json"), "w") as f:
                json.dump({"monai": monai.__version__, "torch": torch.__version__, "generator": "tools/monai/transform_references.py", "cases": cases}, f)
            print(f"{file}: {len(cases)} cases")


if __name__ == "__main__":
    main(sys.argv[1:])
