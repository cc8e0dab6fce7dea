#!/usr/bin/env python3
"""Export a MONAI bundle's network to ONNX for `bundle convert`'s output.

    python3 tools/monai/export_network.py <monai_bundle_dir> --weights models/model.pt \
        --out <out_dir>/models/model.onnx [--opset 17] [--roi 96 96 96] [--seed N] [--save_weights w.pt]
        [--set network_def#channels=[4,8,16,32,64] ...]

The network is built from the bundle's own `network_def` by MONAI's ConfigParser (so its arguments are the
bundle's), the weights are loaded from --weights (relative to the bundle folder unless absolute), and the
graph is exported with a dynamic batch axis and dynamic spatial axes. If the exported graph gives a wrong
answer at a second spatial size (some networks bake shapes into the trace), it is exported again with the
spatial size fixed to --roi, and the script says so.

Without a weights file, --seed N builds the network with torch's generator seeded with N (MONAI's default
initialisation); --save_weights then writes that state dict, so that tools/monai/reference.py runs MONAI with
exactly the weights that are in the ONNX file. --set ID=JSON overrides config ids before the network is built
(tools/monai/overrides.py, shared with reference.py), e.g. to make a narrower network of the bundle's own class. Nothing of MONAI is copied here; MONAI must be importable.

The export is checked against torch on a random window: Debian has no onnxruntime for Python, so the check
runs the ONNX file through this project's own OnnxNetwork (tools/monai/run_onnx.mjs, Node) and compares.
"""
import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import missing_deps  # noqa: F401  (before MONAI: stand-ins for packages not installable here)
import torch
from monai.bundle import ConfigParser

from overrides import apply_overrides

HERE = os.path.dirname(os.path.abspath(__file__))


def find_config(bundle, name):
    if name:
        return name if os.path.isabs(name) else os.path.join(bundle, "configs", name)
    for candidate in ("inference.json", "inference.yaml", "inference.yml"):
        path = os.path.join(bundle, "configs", candidate)
        if os.path.exists(path):
            return path
    sys.exit(f"error: {bundle}/configs has no inference.json or inference.yaml; pass --config")


def build_network(bundle, config_file, overrides=()):
    parser = ConfigParser()
    parser.read_config(config_file)
    meta_file = os.path.join(bundle, "configs", "metadata.json")
    if os.path.exists(meta_file):
        parser.read_meta(meta_file)
    parser["bundle_root"] = bundle
    apply_overrides(parser, overrides)
    net = parser.get_parsed_content("network_def", instantiate=True)
    meta = parser.get_parsed_content("_meta_", instantiate=False) if os.path.exists(meta_file) else {}
    return net, meta


def io_spec(meta):
    fmt = (meta or {}).get("network_data_format", {})
    inputs, outputs = fmt.get("inputs", {}), fmt.get("outputs", {})
    in_name = next(iter(inputs), "image")
    out_name = next(iter(outputs), "pred")
    spec = inputs.get(in_name, {})
    channels = int(spec.get("num_channels", 1))
    shape = spec.get("spatial_shape", [96, 96, 96])
    return in_name, out_name, channels, shape


def load_weights(net, path):
    state = torch.load(path, map_location="cpu")
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    net.load_state_dict(state)


def balance_final_bias(net, channels, roi, seed):
    """Random weights tend to give one class everywhere: shift the last layer's bias so that every output
    channel's median logit over a uniform [0, 1) window (the range of typical preprocessed intensities) is 0."""
    last = [m for m in net.modules() if getattr(m, "bias", None) is not None and isinstance(m.bias, torch.Tensor)]
    if not last:
        sys.exit("error: --balance needs a final layer with a bias, and this network has none")
    layer = last[-1]
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        out = net(torch.rand((1, channels, *roi), generator=g))
        out = out[0] if isinstance(out, (list, tuple)) else out
        if layer.bias.shape[0] != out.shape[1]:
            sys.exit(f"error: --balance: the last biased layer has {layer.bias.shape[0]} channels, the output {out.shape[1]}")
        medians = out.transpose(0, 1).reshape(out.shape[1], -1).median(dim=1).values
        layer.bias -= medians
    return medians.tolist()


def staged_mean(x):
    """Mean over the spatial axes, one axis at a time: each float32 sum is then a few hundred terms long."""
    for dim in range(x.dim() - 1, 1, -1):
        x = x.mean(dim=dim, keepdim=True)
    return x


def staged_normalise(x, eps):
    """x normalised to mean 0, variance 1 over its axes 2.. (biased variance, as torch's norms)."""
    centred = x - staged_mean(x)
    return centred * torch.rsqrt(staged_mean(centred * centred) + eps)


def affine(y, norm):
    if norm.weight is None:
        return y
    shape = (1, -1) + (1,) * (y.dim() - 2)
    return y * norm.weight.view(shape) + norm.bias.view(shape)


class InstanceNormStagedMeans(torch.nn.Module):
    """torch's InstanceNorm (no running statistics) written with staged means. onnxruntime's InstanceNormalization
    (and a single ReduceMean over the whole window) sums in float32 over the window at once and loses precision: on a
    96^3 window half zero-padded it was off by 8e-3 after one layer, DynUNet's logits by 3e-2, enough to flip
    near-tied voxels; staged means stay within 2e-6 of float64, as torch does, at no extra memory."""

    def __init__(self, norm):
        super().__init__()
        self.eps = norm.eps
        self.weight = norm.weight if norm.affine else None
        self.bias = norm.bias if norm.affine else None

    def forward(self, x):
        return affine(staged_normalise(x, self.eps), self)


class GroupNormStagedMeans(torch.nn.Module):
    """torch's GroupNorm with staged means. torch exports GroupNorm as InstanceNormalization over x reshaped to
    [N, groups, -1], so onnxruntime sums each group (channels/groups x the window) in float32 at once: wholeBody's
    full-size SegResNet (GroupNorm, 8 groups) gave logits 1.15e-3 off torch's on a half-padded 96^3 window, and
    1.5e-6 off float64 with this form (torch float32: 3.4e-6), at the same speed; brats_mri_segmentation's SegResNet
    on its 240x240x160 window around a 64^3 image (the rest zero padding) was off by 7e-2, enough to flip voxels far
    from the sigmoid threshold."""

    def __init__(self, norm):
        super().__init__()
        self.groups, self.eps = norm.num_groups, norm.eps
        self.weight = norm.weight if norm.affine else None
        self.bias = norm.bias if norm.affine else None

    def forward(self, x):
        grouped = x.reshape(x.shape[0], self.groups, x.shape[1] // self.groups, *x.shape[2:])
        return affine(staged_normalise(grouped, self.eps).reshape(x.shape), self)


class ConvTransposeAsConv(torch.nn.Module):
    """A transposed convolution whose stride equals its kernel (no padding, dilation or groups), as UNet-style
    decoders upsample, written as what it is: a per-voxel linear map to Cout x prod(kernel) channels (a 1x1
    convolution), whose channels are then moved into the upsampled grid. onnxruntime's ConvTranspose is slow at
    this: on the top upsampling of pediatric_abdominal_ct_segmentation's DynUNet (64 -> 32 channels, 48^3 -> 96^3,
    2 threads) it took 0.45 CPU s, this form 0.22 s. The interleave is one transpose per spatial axis, each moving a
    single axis (which onnxruntime copies in blocks); one 8-dimensional transpose took 0.31 s. The sums are the
    same products over the same input channels, so it agrees with torch
    to float32 rounding."""

    def __init__(self, t):
        super().__init__()
        self.kernel = tuple(int(k) for k in t.kernel_size)
        self.out_channels = t.out_channels
        dims = len(self.kernel)
        kk = int(np.prod(self.kernel))
        conv = (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d)[dims - 1]
        self.conv = conv(t.in_channels, t.out_channels * kk, 1, bias=t.bias is not None)
        with torch.no_grad():
            # ConvTranspose weight [Cin, Cout, *kernel] -> 1x1 conv weight [Cout * prod(kernel), Cin, 1...]
            w = t.weight.detach().reshape(t.in_channels, t.out_channels * kk).t()
            self.conv.weight.copy_(w.reshape(t.out_channels * kk, t.in_channels, *([1] * dims)))
            if t.bias is not None:
                self.conv.bias.copy_(t.bias.detach().repeat_interleave(kk))

    @staticmethod
    def applies(t):
        return (isinstance(t, (torch.nn.ConvTranspose1d, torch.nn.ConvTranspose2d, torch.nn.ConvTranspose3d))
                and tuple(t.stride) == tuple(t.kernel_size) and not any(t.padding) and not any(t.output_padding)
                and all(d == 1 for d in t.dilation) and t.groups == 1 and t.padding_mode == "zeros")

    def forward(self, x):
        y = self.conv(x)  # [N, Cout * k0 * k1 ..., s0, s1, ...], channel = (o, k0, k1, ...)
        spatial = list(x.shape[2:])  # kept as traced sizes (no int()), so that spatial axes stay dynamic
        placed = 1  # product of the axes already interleaved, (s_j * k_j) for j < i
        for i, k in enumerate(self.kernel):
            ks_after = int(np.prod(self.kernel[i + 1:]))
            s_after = 1
            for s in spatial[i + 1:]:
                s_after = s_after * s
            # [B, k_i, (k_{i+1}..), (placed), s_i, (s_{i+1}..)] -> [B, (k_{i+1}..), (placed), s_i, k_i, (s_{i+1}..)]
            y = y.reshape(x.shape[0] * self.out_channels, k, ks_after * placed * spatial[i], s_after).transpose(1, 2)
            placed = placed * spatial[i] * k
        return y.reshape(x.shape[0], self.out_channels, *[s * k for s, k in zip(spatial, self.kernel)])


def staged_form(child):
    if isinstance(child, torch.nn.modules.instancenorm._InstanceNorm) and not child.track_running_stats:
        return InstanceNormStagedMeans(child)
    if isinstance(child, torch.nn.GroupNorm):
        return GroupNormStagedMeans(child)
    return None


def onnx_form(child):
    """The module to export in place of child, or None to keep it."""
    if ConvTransposeAsConv.applies(child):
        return ConvTransposeAsConv(child)
    return staged_form(child)


def for_onnx(net):
    """A copy of net to export: InstanceNorm layers without running statistics and GroupNorm layers in their
    staged-means forms (InstanceNormStagedMeans, GroupNormStagedMeans), transposed convolutions with stride ==
    kernel as 1x1 convolutions (ConvTransposeAsConv)."""
    out = copy.deepcopy(net)
    swapped = {}
    for module in list(out.modules()):
        for name, child in module.named_children():
            form = onnx_form(child)
            if form is not None:
                setattr(module, name, form)
                swapped[type(form).__name__] = swapped.get(type(form).__name__, 0) + 1
    for form, count in swapped.items():
        print(f"note: {count} layers exported as {form} (see its docstring)", file=sys.stderr)
    return out.eval()


def export(net, example, out, in_name, out_name, opset, dynamic_spatial):
    axes = {0: "batch"}
    if dynamic_spatial:
        axes.update({i: f"spatial{i - 1}" for i in range(2, example.dim())})
    tmp = out + ".tmp.onnx"
    with torch.no_grad():
        torch.onnx.export(net, example, tmp, input_names=[in_name], output_names=[out_name], opset_version=opset,
                          dynamic_axes={in_name: axes, out_name: axes}, do_constant_folding=True)
    os.replace(tmp, out)


def run_onnx(model, x):
    """Runs the ONNX file on x through this project's OnnxNetwork; returns the output array."""
    with tempfile.TemporaryDirectory() as tmp:
        x.astype(np.float32).tofile(os.path.join(tmp, "input.f32"))
        with open(os.path.join(tmp, "input.json"), "w") as f:
            json.dump({"dims": list(x.shape)}, f)
        subprocess.run(["node", os.path.join(HERE, "run_onnx.mjs"), model, tmp], check=True, capture_output=True, text=True)
        with open(os.path.join(tmp, "output.json")) as f:
            dims = json.load(f)["dims"]
        return np.fromfile(os.path.join(tmp, "output.f32"), dtype=np.float32).reshape(dims)


def check(net, model, roi, channels, seed, padded=False):
    """max |onnx - torch| on a random window; padded: its second half along the last axis is zero, as where the
    inferer pads an image smaller than the window."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, channels, *roi)).astype(np.float32)
    if padded:
        x[..., roi[-1] // 2:] = 0
    with torch.no_grad():
        want = net(torch.from_numpy(x))
    want = (want[0] if isinstance(want, (list, tuple)) else want).numpy()
    try:
        got = run_onnx(model, x)
    except subprocess.CalledProcessError as e:  # onnxruntime refused the input (a shape baked into the trace)
        cause = next((line.strip() for line in e.stderr.splitlines() if "Status Message" in line), e.stderr.strip()[-300:])
        return float("inf"), f"an onnxruntime error: {cause[:300]}", want.shape
    if got.shape != want.shape:
        return float("inf"), got.shape, want.shape
    return float(np.abs(got - want).max()), got.shape, want.shape


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bundle", help="the MONAI bundle folder (holding configs/)")
    ap.add_argument("--weights", default="models/model.pt", help="PyTorch weights, relative to the bundle folder unless absolute")
    ap.add_argument("--out", required=True, help="the ONNX file to write")
    ap.add_argument("--config", help="config file holding network_def (default configs/inference.json|yaml)")
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--roi", type=int, nargs="+", help="spatial size of the example window (default: the inferer's roi_size, else the metadata's spatial_shape, else 96)")
    ap.add_argument("--seed", type=int, help="when there is no weights file: seeded random weights (torch.manual_seed)")
    ap.add_argument("--balance", action="store_true", help="with --seed: shift the final bias so that no class wins everywhere (see balance_final_bias)")
    ap.add_argument("--save_weights", help="write the state dict used (with --seed: the random weights) to this .pt file")
    ap.add_argument("--set", action="append", default=[], metavar="ID=JSON",
                    help="override a config id, e.g. network_def#channels=[4,8,16,32,64] (the same --set as reference.py)")
    ap.add_argument("--tolerance", type=float, default=1e-3, help="largest accepted |onnx - torch| on the check window")
    args = ap.parse_args()

    bundle = os.path.abspath(args.bundle)
    weights = args.weights if os.path.isabs(args.weights) else os.path.join(bundle, args.weights)
    if not os.path.exists(weights) and args.seed is None:
        sys.exit(f"error: the weights file {weights} does not exist; download the bundle's weights, or pass --seed N for seeded random weights")
    if args.seed is not None:
        torch.manual_seed(args.seed)
    net, meta = build_network(bundle, find_config(bundle, args.config), args.set)
    if os.path.exists(weights) and args.seed is None:
        load_weights(net, weights)
    net = net.eval()
    in_name, out_name, channels, shape = io_spec(meta)
    roi = args.roi or [int(s) if isinstance(s, int) else 96 for s in shape]
    if args.balance:
        if args.seed is None:
            sys.exit("error: --balance shifts random weights; it needs --seed")
        shift = balance_final_bias(net, channels, roi, args.seed)
        print(f"note: final bias shifted by {[-round(v, 4) for v in shift]} (--balance)", file=sys.stderr)
    if args.save_weights:
        torch.save(net.state_dict(), args.save_weights)
    example = torch.zeros((1, channels, *roi), dtype=torch.float32)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)

    exported = for_onnx(net)
    export(exported, example, args.out, in_name, out_name, args.opset, dynamic_spatial=True)
    err, _, _ = check(net, args.out, roi, channels, seed=1, padded=True)
    # the second size must be one the network takes at all (DynUNet with stride products of 32 needs multiples of 32)
    for step in (16, 32, 64):
        other = [r + step for r in roi]
        try:
            err2, got2, want2 = check(net, args.out, other, channels, seed=2)
            break
        except (RuntimeError, ValueError) as e:
            if step == 64:
                sys.exit(f"error: the network (in torch) takes neither {roi} + 16, + 32 nor + 64 as a second check size: {e}")
    spatial = "dynamic"
    if not (err2 <= args.tolerance):
        print(f"note: the graph traced with dynamic spatial axes is wrong at {other} ({got2} vs torch {want2}, max |diff| {err2:g}); "
              f"exporting again with the spatial size fixed to {roi}", file=sys.stderr)
        export(exported, example, args.out, in_name, out_name, args.opset, dynamic_spatial=False)
        err, _, _ = check(net, args.out, roi, channels, seed=1, padded=True)
        spatial = f"fixed {roi}"
    if not (err <= args.tolerance):
        os.remove(args.out)
        sys.exit(f"error: onnx and torch differ by {err:g} (> {args.tolerance:g}) on a random {roi} window (half zero-padded); the export was removed")
    print(f"wrote {args.out}: input {in_name} [N,{channels},{'..' if spatial == 'dynamic' else ','.join(map(str, roi))}] -> output {out_name}; "
          f"batch dynamic, spatial {spatial}; opset {args.opset}; max |onnx - torch| {err:.2e} on a random {roi} window half zero-padded"
          + (f", {err2:.2e} at {other}" if spatial == "dynamic" else ""))


if __name__ == "__main__":
    main()
