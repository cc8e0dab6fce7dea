#!/usr/bin/env python3
"""Checks export_network.py's export forms (for_onnx) on small layers, beyond what the zoo networks exercise:
each case is a torch module, exported through for_onnx with dynamic batch and spatial axes, run by onnxruntime
(tools/monai/run_onnx.mjs) at two input sizes and compared with the module itself in torch.

    /work/shared/tools/monai-python tools/monai/check_onnx_forms.py

Prints one JSON line per case: name, the ONNX op types of the export, max |onnx - torch| per input shape.
Exits 1 when a case differs by more than 1e-5.
"""
import json
import os
import sys
import tempfile

import numpy as np
import onnx
import torch

from export_network import export, for_onnx, run_onnx


def cases():
    torch.manual_seed(0)
    yield "ConvTranspose3d k=s=2, no bias (DynUNet)", torch.nn.ConvTranspose3d(6, 4, 2, stride=2, bias=False), [(1, 6, 5, 6, 7), (2, 6, 3, 4, 9)]
    yield "ConvTranspose3d k=s=(2,2,1), bias", torch.nn.ConvTranspose3d(5, 3, (2, 2, 1), stride=(2, 2, 1)), [(1, 5, 4, 3, 6), (3, 5, 7, 2, 5)]
    yield "ConvTranspose3d k=s=(3,1,2), bias", torch.nn.ConvTranspose3d(2, 3, (3, 1, 2), stride=(3, 1, 2)), [(1, 2, 3, 4, 5), (2, 2, 6, 2, 3)]
    yield "ConvTranspose2d k=s=2, bias", torch.nn.ConvTranspose2d(4, 2, 2, stride=2), [(1, 4, 5, 7), (2, 4, 9, 3)]
    yield "ConvTranspose1d k=s=4, bias", torch.nn.ConvTranspose1d(3, 2, 4, stride=4), [(1, 3, 5), (2, 3, 8)]
    # not of the form: kept as ConvTranspose (stride 2, kernel 3, padding 1, as MONAI's UNet)
    yield "ConvTranspose3d k=3 s=2 p=1 (kept)", torch.nn.ConvTranspose3d(3, 2, 3, stride=2, padding=1, output_padding=1), [(1, 3, 4, 5, 6), (2, 3, 3, 3, 3)]


def main():
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, module, shapes in cases():
            module = torch.nn.Sequential(module).eval()  # for_onnx swaps children
            model = os.path.join(tmp, "m.onnx")
            example = torch.zeros(shapes[0])
            export(for_onnx(module), example, model, "x", "y", 17, dynamic_spatial=True)
            ops = sorted({node.op_type for node in onnx.load(model).graph.node})
            diffs = {}
            for shape in shapes:
                x = np.random.default_rng(len(diffs)).standard_normal(shape).astype(np.float32)
                with torch.no_grad():
                    want = module(torch.from_numpy(x)).numpy()
                got = run_onnx(model, x)
                diffs["x".join(map(str, shape))] = float(np.abs(got - want).max()) if got.shape == want.shape else float("inf")
            worst = max(worst, *diffs.values())
            print(json.dumps({"case": name, "ops": ops, "max_abs_diff": diffs}))
    sys.exit(0 if worst <= 1e-5 else 1)


if __name__ == "__main__":
    main()
