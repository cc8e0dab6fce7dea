#!/usr/bin/env python3
"""MONAI's own answer for a model-zoo bundle's inference pipeline, for parity tests and the zoo bench.

    /work/shared/tools/monai-python tools/monai/reference.py <monai_bundle_dir> --weights w.pt \
        --image ct.nii.gz --out <folder> [--config inference.json] [--threads N] [--set id=json ...]

Everything is MONAI's: the config is parsed by monai.bundle.ConfigParser, and the bundle's own preprocessing,
dataset, inferer, postprocessing and SaveImaged run as configured. Only the engine loop is restated here,
because pytorch-ignite (which MONAI's SupervisedEvaluator runs on) is not installable: for each batch of the
bundle's DataLoader, pred = inferer(batch[image], network), then batch and output are decollated and each
item's merged dict goes through the postprocessing, as SupervisedEvaluator with decollate=True does.

The weights are loaded from --weights into network_def (use export_network.py --seed N --balance
--save_weights w.pt to make seeded random weights that are also in the ONNX file). --image replaces the
bundle's datalist with one file (the id given by --datalist_id, default "datalist").

Written to --out: MONAI's saved output (SaveImaged, under <out>/monai/), and for each item
raw_<n>.f32 (the inferer's output, C-order float32, before postprocessing), probs_<n>.f32 (the prediction
just before the first AsDiscreted, in output space) with <name>.json giving their shapes (and for probs, how
that AsDiscreted decides: {"argmax": true} or {"threshold": t}).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import missing_deps  # noqa: F401  (before MONAI: stand-ins for packages not installable here)
import torch
from monai.bundle import ConfigParser
from monai.data import decollate_batch

from overrides import apply_overrides


def save(out, name, tensor, **info):
    array = tensor.detach().cpu().numpy().astype(np.float32) if isinstance(tensor, torch.Tensor) else np.asarray(tensor, dtype=np.float32)
    np.ascontiguousarray(array).tofile(os.path.join(out, f"{name}.f32"))
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump({"shape": list(array.shape), **info}, f)


def decision(t, key):
    """How AsDiscreted `t` decides `key`: {"argmax": true}, or {"threshold": t} (each channel against t)."""
    i = list(t.keys).index(key) if key in t.keys else 0
    if t.argmax[i]:
        return {"argmax": True}
    if t.threshold[i] is not None:
        return {"threshold": float(t.threshold[i])}
    sys.exit(f"error: the first AsDiscreted on {key!r} neither takes the argmax nor thresholds; the near-tie margin needs one of them")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bundle")
    ap.add_argument("--weights", required=True, help="state dict for network_def")
    ap.add_argument("--image", nargs="+", help="input image file(s), replacing the bundle's datalist (or give it with --set)")
    ap.add_argument("--datalist_id", default="datalist")
    ap.add_argument("--out", required=True)
    ap.add_argument("--config", default="inference.json")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    ap.add_argument("--set", action="append", default=[], metavar="ID=JSON", help="override a config id with a JSON value (tools/monai/overrides.py; pass export_network.py the same network_def ones)")
    ap.add_argument("--no_raw", action="store_true", help="do not write raw/probs arrays (for timing)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    t0 = time.time()
    bundle = os.path.abspath(args.bundle)
    parser = ConfigParser()
    parser.read_config(os.path.join(bundle, "configs", args.config))
    parser.read_meta(os.path.join(bundle, "configs", "metadata.json"))
    parser["bundle_root"] = bundle
    if args.image:
        parser[args.datalist_id] = [os.path.abspath(i) for i in args.image]
    parser["output_dir"] = os.path.join(os.path.abspath(args.out), "monai")
    apply_overrides(parser, args.set)
    if "device" in parser:
        parser["device"] = "$torch.device('cpu')"
    os.makedirs(args.out, exist_ok=True)

    net = parser.get_parsed_content("network_def")
    state = torch.load(args.weights, map_location="cpu")
    net.load_state_dict(state)
    network = parser.get_parsed_content("network") if "network" in parser else net
    network.eval()
    inferer = parser.get_parsed_content("inferer")
    loader = parser.get_parsed_content("dataloader")
    post = parser.get_parsed_content("postprocessing")
    image_key = parser.get_parsed_content("image_key") if "image_key" in parser else "image"

    n = 0
    with torch.no_grad():
        for batch in loader:
            inputs = batch[image_key]
            pred = inferer(inputs, network)
            items = decollate_batch(batch)
            outputs = decollate_batch({image_key: inputs, "pred": pred})
            for item, output in zip(items, outputs):
                data = dict(item)
                data.update(output)
                if not args.no_raw:
                    save(args.out, f"raw_{n}", data["pred"])
                for t in post.transforms:
                    if not args.no_raw and type(t).__name__ == "AsDiscreted" and not os.path.exists(os.path.join(args.out, f"probs_{n}.f32")):
                        save(args.out, f"probs_{n}", data["pred"], decision=decision(t, "pred"))
                    data = t(data)
                n += 1
    print(json.dumps({"items": n, "seconds": round(time.time() - t0, 2), "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
