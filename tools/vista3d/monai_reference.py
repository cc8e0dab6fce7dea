#!/usr/bin/env python3
"""MONAI's own VISTA3D bundle, driven without pytorch-ignite: the reference our port is compared with.

    /work/shared/tools/monai-python tools/vista3d/monai_reference.py \\
        --configs /path/to/model-zoo/models/vista3d/configs --scripts /path/to/model-zoo/models/vista3d/scripts \\
        --weights net.pt --arch small --cases cases.json --output out/ [--threads 1]

What is MONAI's and what is restated here:
- The ORIGINAL model-zoo `inference.json` and `metadata.json` are parsed by MONAI's ConfigParser; the
  preprocessing, dataset/dataloader, inferer (`scripts.inferer.Vista3dInferer`) and postprocessing
  (VistaPostTransformd, Invertd, the nan-to-255 Lambdad, SaveImaged) are the objects it builds. The network is
  the config's `network_def` for `--arch vista3d132`; for `--arch small` it is export_vista3d.build_network
  (the same VISTA3D classes, narrow widths). Weights come from `--weights` (a state dict, as CheckpointLoader
  would load it). `device` is set to the CPU, `amp` to false (float32), torch runs `--threads` threads.
- `python -m monai.bundle run` cannot build `scripts.evaluator.Vista3dEvaluator` (its base class is ignite's
  Engine, and pytorch-ignite is not installable here). So the engine loop is restated: iterate the dataloader,
  call the bundle's own `Vista3dEvaluator._iteration` (with its `check_prompts_format` and `transform_points`)
  on a stand-in engine object that has the attributes it reads, decollate with MONAI's `Decollated`, and apply
  the postprocessing with MONAI's `engine_apply_transform`, as ignite's events would.
- `transform_points` calls einops' `rearrange` (einops is not installable): the module's `rearrange` is
  replaced by the two numpy reshapes it is used for.
- `prev_mask` (spec 3.8) is not passed by the bundle's evaluator; for a case with `prev_mask_from`, the
  inferer is called with `prev_mask=` the earlier case's raw logits (rounded to multiples of
  `prev_mask_step` so the file that our port reads holds exactly the same values).

Per case it writes `<output>/<name>/`: MONAI's output NIfTI (SaveImaged's file, `<stem>_trans.nii.gz`),
`raw.pt` (the inferer's raw prediction, network space, before VistaPostTransformd; with --save-raw),
`margin.nii.gz` (per voxel, on the output grid: how far MONAI's raw logits are from changing that voxel's
label, see `decision_margin`), `prev_mask.nii.gz` when used, and `timing.json` (seconds per stage).

cases.json: a list of {"name", "input_dict": {...}, "overrides": {config id: value}, "prev_mask_from": name,
"prev_mask_step": 0.0625}; paths in input_dict are relative to the cases file.
"""
import argparse
import copy
import json
import os
import sys
import time
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def rearrange(x, pattern, **sizes):
    """The two einops patterns Vista3dEvaluator.transform_points uses."""
    if pattern == "b n d -> d (b n)":
        return x.reshape(-1, x.shape[-1]).T
    if pattern == "d (b n)-> b n d":
        return x.T.reshape(sizes["b"], -1, x.shape[0])
    raise ValueError(f"unexpected einops pattern {pattern!r}")


def decision_margin(raw):
    """|distance to a label change| per voxel of raw logits [K, ...] under VistaPostTransformd's rule.

    K = 1: the label is `logit > 0`, so the margin is |logit|. K > 1: background when every logit <= 0, else
    the arg-max of the positive logits: the margin is |top1| when top1 <= 0, else top1 - max(top2, 0).
    NaN (no point window) stays NaN.
    """
    raw = raw.float()
    if raw.shape[0] == 1:
        return raw.abs()
    top = torch.topk(raw, 2, dim=0).values
    top1, top2 = top[0:1], top[1:2]
    return torch.where(top1 <= 0, top1.abs(), top1 - torch.clamp(top2, min=0))


class CombineMarginRecorder:
    """|point-head logit| per voxel wherever VISTA3D's connected_components_combine thresholds it.

    In click modes the combine decides by the sign of the point logits which voxels take them and which keep
    the class logits or prev_mask; a point logit near 0 can flip a voxel whose final value is far from 0, so
    the decision margin is the smaller of the final |logit| and this. Recorded on the point-window path, in
    the padded image space of point_based_window_inferer (`start(shape, roi)` before each case).
    """

    def __init__(self, network):
        self.map, self.pad, self.patch = None, None, None
        forward, combine = network.forward, network.connected_components_combine

        def forward_recording(*args, **kwargs):
            self.patch = kwargs.get("patch_coords")
            return forward(*args, **kwargs)

        def combine_recording(logits, point_logits, *args, **kwargs):
            if self.map is not None and self.patch is not None:
                region = tuple(self.patch[0][2:])
                target = self.map[region]
                if target.shape == point_logits.shape[2:]:
                    self.map[region] = torch.minimum(target, point_logits[0, 0].detach().abs().float())
            return combine(logits, point_logits, *args, **kwargs)

        network.forward = forward_recording
        network.connected_components_combine = combine_recording

    def start(self, shape, roi):
        self.pad = [max(r - s, 0) for s, r in zip(shape, roi)]
        self.map = torch.full([s + p for s, p in zip(shape, self.pad)], float("inf"))

    def unpadded(self):
        lo = [p // 2 for p in self.pad]
        return self.map[tuple(slice(l, l + s - p) for l, s, p in zip(lo, self.map.shape, self.pad))]


class StandInEngine:
    """What Vista3dEvaluator._iteration reads from `self`/`engine` (ignite is not available)."""

    def __init__(self, evaluator_class, network, inferer, hyper_kwargs):
        from monai.networks.utils import eval_mode

        self.network = network
        self.inferer = inferer
        self.hyper_kwargs = hyper_kwargs
        self.device = torch.device("cpu")
        self.amp = False
        self.amp_kwargs = {}
        self.state = types.SimpleNamespace(output=None)
        self.mode = eval_mode
        self.check_prompts_format = types.MethodType(evaluator_class.check_prompts_format, self)
        self.transform_points = types.MethodType(evaluator_class.transform_points, self)
        self.iteration = types.MethodType(evaluator_class._iteration, self)

    def fire_event(self, _event):
        pass


def load_bundle_scripts(scripts_dir):
    """Import the model-zoo `scripts` package from the given folder (not copied into this repository)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(scripts_dir)))
    import scripts.evaluator as evaluator_module
    import scripts.inferer  # noqa: F401  (the config's _target_)

    evaluator_module.rearrange = rearrange
    return evaluator_module.Vista3dEvaluator


def make_parser(args, case, bundle_root):
    from monai.bundle import ConfigParser

    parser = ConfigParser()
    parser.read_config(os.path.join(args.configs, "inference.json"))
    parser.read_meta(os.path.join(args.configs, "metadata.json"))
    parser["bundle_root"] = bundle_root
    parser["metadata_path"] = os.path.join(args.configs, "metadata.json")
    parser["device"] = "$torch.device('cpu')"
    parser["evaluator"]["amp"] = False
    parser["output_dir"] = os.path.join(args.output, case["name"])
    parser["input_dict"] = case["input_dict"]
    if args.patch:
        parser["patch_size"] = [args.patch] * 3
    for key, value in case.get("overrides", {}).items():
        parser[key] = value
    # the decision margin goes through the same inversion as the prediction (nearest, so voxel for voxel)
    parser["postprocessing"]["transforms"][2]["keys"] = ["pred", "margin"]
    return parser


def build_network(parser, args):
    if args.arch == "vista3d132":
        net = parser.get_parsed_content("network_def")
    else:
        sys.path.insert(0, HERE)
        from export_vista3d import build_network as build_small

        net = build_small(args.arch)
    state = torch.load(args.weights, map_location="cpu")
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]
    net.load_state_dict(state)
    return net.eval()


def save_like(array, reference_image, path):
    import nibabel as nib

    ref = nib.load(reference_image)
    out = nib.Nifti1Image(np.asarray(array, dtype=np.float32), ref.affine, ref.header)
    out.set_data_dtype(np.float32)
    nib.save(out, path)


def run_case(args, case, cases_dir, evaluator_class, network_cache, raw_by_name):
    from functools import partial

    from monai.engines.utils import engine_apply_transform
    from monai.transforms import Decollated

    case = copy.deepcopy(case)
    for key in ("image",):
        if key in case["input_dict"]:
            case["input_dict"][key] = os.path.join(cases_dir, case["input_dict"][key])
    folder = os.path.join(args.output, case["name"])
    os.makedirs(folder, exist_ok=True)
    timing = {}
    t0 = time.perf_counter()
    parser = make_parser(args, case, os.path.dirname(os.path.abspath(args.configs)))
    if "network" not in network_cache:
        network_cache["network"] = build_network(parser, args)
        network_cache["recorder"] = CombineMarginRecorder(network_cache["network"])
    network, recorder = network_cache["network"], network_cache["recorder"]
    inferer = parser.get_parsed_content("inferer")
    prev_mask = None
    if case.get("prev_mask_from"):
        step = case.get("prev_mask_step", 0.0625)
        source = raw_by_name.get(case["prev_mask_from"])
        if source is None:  # run earlier, in another process
            source = torch.load(os.path.join(args.output, case["prev_mask_from"], "raw.pt"))
        prev_mask = torch.round(torch.as_tensor(source).float() / step) * step
        save_like(prev_mask[0, 0].numpy(), case["input_dict"]["image"], os.path.join(folder, "prev_mask.nii.gz"))
        inferer = partial(inferer, prev_mask=prev_mask)
    engine = StandInEngine(evaluator_class, network, inferer, parser.get_parsed_content("evaluator#hyper_kwargs"))
    dataloader = parser.get_parsed_content("dataloader")
    postprocessing = parser.get_parsed_content("postprocessing")
    timing["build"] = time.perf_counter() - t0
    for batchdata in dataloader:
        t1 = time.perf_counter()
        recorder.map = None  # only the point-window path is recorded (its padding is known here)
        if parser.get_parsed_content("use_point_window"):
            recorder.start(list(batchdata["image"].shape[2:]), list(parser.get_parsed_content("patch_size")))
        output = engine.iteration(engine, batchdata)
        timing["inference"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        raw = output["pred"].detach().clone()
        raw_by_name[case["name"]] = raw
        if args.save_raw or case.get("save_raw"):
            torch.save(raw.as_tensor() if hasattr(raw, "as_tensor") else raw, os.path.join(folder, "raw.pt"))
        margin = output["pred"][:, :1].clone()
        margin[0] = decision_margin(raw[0])
        point_margin = recorder.unpadded() if recorder.map is not None else None
        if point_margin is not None and point_margin.shape == margin.shape[2:]:
            margin[0, 0] = torch.fmin(margin[0, 0], point_margin)
        output["margin"] = margin
        decollate = Decollated(keys=None, detach=True)
        batch, outputs = decollate(batchdata), decollate(output)
        for b, o in zip(batch, outputs):
            b, o = engine_apply_transform(b, o, postprocessing)
            image = case["input_dict"]["image"]
            save_like(o["margin"][0].numpy(), image, os.path.join(folder, "margin.nii.gz"))
        timing["postprocessing"] = time.perf_counter() - t2
    timing["total"] = time.perf_counter() - t0
    with open(os.path.join(folder, "timing.json"), "w") as f:
        json.dump(timing, f, indent=1)
    print(f"{case['name']}: {timing['total']:.1f} s (inference {timing['inference']:.1f} s)", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", required=True, help="folder with the original inference.json and metadata.json")
    ap.add_argument("--scripts", required=True, help="the model-zoo models/vista3d/scripts folder")
    ap.add_argument("--weights", required=True, help="state dict (.pt) of the network")
    ap.add_argument("--arch", choices=["vista3d132", "small"], default="vista3d132")
    ap.add_argument("--cases", required=True, help="cases JSON (see above)")
    ap.add_argument("--only", help="comma-separated case names to run (default all)")
    ap.add_argument("--output", required=True)
    ap.add_argument("--patch", type=int, help="patch_size for every case (default: the config's 128)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1, for determinism)")
    ap.add_argument("--save-raw", action="store_true", help="also write raw.pt (the raw logits) per case")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from monai.utils import set_determinism

    set_determinism(seed=123)  # the bundle's initialize
    evaluator_class = load_bundle_scripts(args.scripts)
    with open(args.cases) as f:
        cases = json.load(f)
    only = set(args.only.split(",")) if args.only else None
    cases_dir = os.path.dirname(os.path.abspath(args.cases))
    network_cache, raw_by_name = {}, {}
    for case in cases:  # a case that feeds a later case's prev_mask keeps its raw logits on disk
        case["save_raw"] = any(c.get("prev_mask_from") == case["name"] for c in cases)
    with torch.no_grad():
        for case in cases:
            if only is None or case["name"] in only:
                run_case(args, case, cases_dir, evaluator_class, network_cache, raw_by_name)


if __name__ == "__main__":
    main()
