#!/usr/bin/env python3
"""Export the real VISTA3D network to the bundle's five-graph ONNX contract (bundle/docs/README.md, spec 8).

For users who have MONAI (>= 1.4), PyTorch, onnx (and optionally onnxruntime) and the VISTA3D checkpoint
(model-zoo bundle `vista3d`, models/model.pt, NVIDIA NCLS v1 licence):

    python tools/vista3d/export_vista3d.py --checkpoint /path/to/vista3d/models/model.pt --output bundle/models

Writes, replacing the demo network:
  encoder.onnx        image [b, 1, X, Y, Z] -> down0 .. down4 (the SegResEncoder levels, full resolution first)
  point_decoder.onnx  down0 .. down4 -> feat_point [b, 48, X, Y, Z]       (SegResNetDS2's point branch)
  class_decoder.onnx  down0 .. down4 -> class_features [b, 48, X, Y, Z]   (its label branch + the class head's
                      image_post_mapping, which does not depend on the class ids)
  class_head.onnx     class_features [1, 48, X, Y, Z], class_ids int64 [K, 1] -> logits [1, K, X, Y, Z]
  point_head.onnx     feat_point [1, 48, X, Y, Z], coords float32 [K, N, 3], labels int64 [K, N], zeroshot bool [K]
                      -> logits [1, K, X, Y, Z]

Why split so: MONAI's VISTA3D.forward runs only the decoder branch a prompt needs (label prompts the label branch,
clicks the point branch), and the class head's convolutions once per window, not once per chunk of class ids.
Each weight is in exactly one file (the encoder's 784 MB at full size).

Why the point head is wrapped: a plain export of PointMappingSAM.forward fails (torch.vstack is not exportable,
the boolean-mask in-place updates of the click embedding break at run time in onnxruntime, and the Python loops
over the class vector and the 32-prompt chunks are frozen at trace time). PointHeadExport below computes the same
thing with arithmetic masks and torch.where: positional encoding of the clicks (+0.5, divided by the patch size),
zero for label -1 plus the "not a point" embedding, the negative/positive embeddings for labels 0/2 and 1/3, the
special-class embedding for 2/3, then mask token + click tokens + supported or zero-shot token, the two-way
transformer over the downsampled features, and the hypernetwork dot product with the upscaled features. The
dense positional-encoding grid of the downsampled features becomes a constant for the export patch size, so
export with the patch size you will run (default 128).

Why the norms are rewritten: every InstanceNorm layer (the encoder's and decoders' InstanceNorm3d, the heads'
unaffine ones) is exported with staged means (tools/monai/export_network.py, for_onnx), because onnxruntime's
InstanceNormalization sums a whole window in float32 at once and drifts from PyTorch where the window is mostly
zero padding (the sample CT's 30 slices in a 64 window): the small VISTA3D's encoder was off by 3.3e-4 on a
half-padded patch (`--check`'s "encoder padded"), 2.7e-6 with staged means. The transformer's LayerNorms (over 48 channels per token) are exported as they are.

Everything else VISTA3D does around the network (windows, click filtering, connected components, arg-max) is
done by the interpreter. Check the export with `--check` (onnxruntime against PyTorch on a random patch) and
`bundle verify_net_in_out`.
"""
import argparse
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "monai"))
from export_network import for_onnx  # noqa: E402  (staged-mean norms, shared with the zoo bundles' export)


class EncoderExport(nn.Module):
    """image -> down0 .. down4: the SegResEncoder's down path only (the trunk shared by both decoders)."""

    def __init__(self, net):
        super().__init__()
        self.encoder = net.image_encoder.encoder

    def forward(self, image):
        return tuple(self.encoder(image))


class DecoderExport(nn.Module):
    """down0 .. down4 -> one decoder branch of SegResNetDS2 (its forward with dsdepth 1), for one prompt mode.

    branch "point": up_layers -> feat_point. branch "class": up_layers_auto -> feat_auto, then the class head's
    image_post_mapping (two residual conv blocks, independent of the class ids) -> class_features, so that the
    per-chunk class head is only the class-embedding MLP and one matrix product.
    """

    def __init__(self, net, branch):
        super().__init__()
        encoder = net.image_encoder
        if encoder.dsdepth != 1:
            raise SystemExit(f"export needs dsdepth 1 (VISTA3D's), the network has {encoder.dsdepth}")
        self.layers = encoder.up_layers if branch == "point" else encoder.up_layers_auto
        self.post = net.class_head.image_post_mapping if branch == "class" else None

    def forward(self, *downs):
        x_down = list(downs)[::-1]
        x = x_down.pop(0)
        for i, level in enumerate(self.layers):
            x = level["blocks"](level["upsample"](x) + x_down[i])
        x = self.layers[-1]["head"](x)
        return self.post(x) if self.post is not None else x


class ClassHeadExport(nn.Module):
    """(class_features, class_ids [K, 1]) -> logits [1, K, ...]: ClassMappingClassify.forward after image_post_mapping."""

    def __init__(self, net):
        super().__init__()
        self.class_head = net.class_head

    def forward(self, class_features, class_ids):
        h = self.class_head
        embedding = h.class_embeddings(class_ids)  # [K, 1, C]
        if h.use_mlp:
            embedding = h.mlp(embedding)
        c = class_features.shape[1]
        logits = embedding.squeeze(1) @ class_features.reshape(1, c, -1)  # [1, K, voxels]
        return logits.reshape(1, class_ids.shape[0], *class_features.shape[2:])


class PointHeadExport(nn.Module):
    """PointMappingSAM.forward re-expressed without in-place boolean indexing or Python loops over prompts."""

    def __init__(self, net):
        super().__init__()
        self.head = net.point_head

    def forward(self, feat_point, coords, labels, zeroshot):
        h = self.head
        spatial = feat_point.shape[-3:]
        low = h.feat_downsample(feat_point)
        k = coords.shape[0]
        pe = h.pe_layer.forward_with_coords(coords + 0.5, tuple(spatial))  # [K, N, C]
        lab = labels.unsqueeze(-1)
        ignored = (lab == -1).to(pe.dtype)
        negative = ((lab == 0) | (lab == 2)).to(pe.dtype)
        positive = ((lab == 1) | (lab == 3)).to(pe.dtype)
        special = ((lab == 2) | (lab == 3)).to(pe.dtype)
        pe = torch.where(lab == -1, torch.zeros_like(pe), pe)
        pe = pe + ignored * h.not_a_point_embed.weight
        pe = pe + negative * h.point_embeddings[0].weight + positive * h.point_embeddings[1].weight
        pe = pe + special * h.special_class_embed.weight
        mask_token = h.mask_tokens.weight.unsqueeze(0).expand(k, -1, -1)
        z = zeroshot.to(pe.dtype).view(k, 1, 1)
        class_token = z * h.zeroshot_embed.weight.unsqueeze(0) + (1 - z) * h.supported_embed.weight.unsqueeze(0)
        tokens = torch.cat((mask_token, pe, class_token), dim=1)
        src = low.expand(k, -1, -1, -1, -1)
        pos = h.pe_layer(tuple(low.shape[-3:])).unsqueeze(0).expand(k, -1, -1, -1, -1)
        c, x, y, zz = low.shape[1], low.shape[2], low.shape[3], low.shape[4]
        hs, keys = h.transformer(src, pos, tokens)
        hyper = h.output_hypernetworks_mlps(hs[:, :1, :])
        keys = keys.transpose(1, 2).reshape(k, c, x, y, zz)
        up = h.output_upscaling(keys)
        masks = hyper @ up.reshape(k, c, -1)
        return masks.reshape(1, k, *spatial)


# The small VISTA3D of the parity tests: the same classes as vista3d132 with narrow widths (a few MB of ONNX).
SMALL = {"feature_size": 16, "init_filters": 4, "blocks_down": (1, 1, 1, 1, 1)}
FULL = {"feature_size": 48, "init_filters": 48, "blocks_down": (1, 2, 2, 4, 4)}


def build_network(arch="vista3d132"):
    """vista3d132's construction (monai.networks.nets.vista3d132) with the widths of `arch` ("vista3d132" or "small")."""
    from monai.networks.nets.segresnet_ds import SegResNetDS2
    from monai.networks.nets.vista3d import VISTA3D, ClassMappingClassify, PointMappingSAM

    w = SMALL if arch == "small" else FULL
    encoder = SegResNetDS2(
        in_channels=1, blocks_down=w["blocks_down"], norm="instance",
        out_channels=w["feature_size"], init_filters=w["init_filters"], dsdepth=1,
    )
    point_head = PointMappingSAM(feature_size=w["feature_size"], n_classes=512, last_supported=132)
    class_head = ClassMappingClassify(n_classes=512, feature_size=w["feature_size"], use_mlp=True)
    return VISTA3D(image_encoder=encoder, class_head=class_head, point_head=point_head)


def load_network(checkpoint, arch="vista3d132", seed=None):
    """The network with the checkpoint's weights, or seeded random weights when `checkpoint` is None."""
    if checkpoint is None:
        torch.manual_seed(seed if seed is not None else 0)
    net = build_network(arch)
    if checkpoint is not None:
        state = torch.load(checkpoint, map_location="cpu")
        if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
            state = state["model"]
        net.load_state_dict(state)
    return net.eval()


DOWN = [f"down{i}" for i in range(5)]
GRAPHS = ["encoder.onnx", "point_decoder.onnx", "class_decoder.onnx", "class_head.onnx", "point_head.onnx"]


def features(net, image):
    """PyTorch eager values of every graph boundary for one patch: downs, feat_point, class_features."""
    downs = EncoderExport(net)(image)
    return downs, DecoderExport(net, "point")(*downs), DecoderExport(net, "class")(*downs)


def export(net, folder, patch, opset):
    """Writes the five graphs of `net` with its InstanceNorm layers as staged means (for_onnx; `net` is not changed)."""
    net = for_onnx(net)
    os.makedirs(folder, exist_ok=True)
    p = patch
    image = torch.rand(1, 1, p, p, p)
    spatial = {2: "x", 3: "y", 4: "z"}
    # the deeper levels' sizes follow from the patch: name them apart so onnxruntime does not assume them equal
    level = lambda i: {0: "batch", 2: f"x{i}", 3: f"y{i}", 4: f"z{i}"}  # noqa: E731
    batched = {0: "batch", **spatial}
    with torch.no_grad():
        downs, feat_point, class_features = features(net, image)
        if len(downs) != len(DOWN):
            raise SystemExit(f"export expects an encoder with {len(DOWN)} levels, this one has {len(downs)}")
        torch.onnx.export(
            EncoderExport(net), (image,), os.path.join(folder, "encoder.onnx"), opset_version=opset,
            input_names=["image"], output_names=DOWN,
            dynamic_axes={"image": batched, **{name: level(i) for i, name in enumerate(DOWN)}},
        )
        for branch, output in (("point", "feat_point"), ("class", "class_features")):
            torch.onnx.export(
                DecoderExport(net, branch), tuple(downs), os.path.join(folder, f"{branch}_decoder.onnx"), opset_version=opset,
                input_names=DOWN, output_names=[output],
                dynamic_axes={**{name: level(i) for i, name in enumerate(DOWN)}, output: batched},
            )
        ids = torch.tensor([[1], [3]], dtype=torch.int64)  # export with K = 2 so that K stays dynamic
        torch.onnx.export(
            ClassHeadExport(net), (class_features, ids), os.path.join(folder, "class_head.onnx"), opset_version=opset,
            input_names=["class_features", "class_ids"], output_names=["logits"],
            dynamic_axes={"class_features": spatial, "class_ids": {0: "K"}, "logits": {1: "K", **spatial}},
        )
        coords = torch.tensor([[[p / 2, p / 2, p / 2], [p / 4, p / 4, p / 4]]], dtype=torch.float32)
        labels = torch.tensor([[1, 0]], dtype=torch.int64)
        zeroshot = torch.tensor([False])
        torch.onnx.export(
            PointHeadExport(net), (feat_point, coords, labels, zeroshot), os.path.join(folder, "point_head.onnx"),
            opset_version=opset, input_names=["feat_point", "coords", "labels", "zeroshot"], output_names=["logits"],
            dynamic_axes={"coords": {0: "K", 1: "N"}, "labels": {0: "K", 1: "N"}, "zeroshot": {0: "K"}, "logits": {1: "K"}},
        )


def check_cases(net, patch):
    """Graph inputs and PyTorch eager outputs on a random patch: K = 1 and 3 ids, N = 1..3 clicks, zero-shot on/off.

    The references are MONAI's own modules (SegResNetDS2.forward per branch, ClassMappingClassify.forward,
    PointMappingSAM.forward), not the export wrappers: this checks the re-expressions too. The encoder is also
    checked on a padded patch (its last half along z zero, as where the inferer pads a thin CT), where a plain
    InstanceNormalization export drifts.
    """
    torch.manual_seed(0)
    image = torch.rand(1, 1, patch, patch, patch)
    padded = image.clone()
    padded[..., patch // 2:] = 0
    cases = []
    with torch.no_grad():
        downs, fp_split, cf = features(net, image)
        fp, _ = net.image_encoder(image, with_point=True, with_label=False)
        _, fa = net.image_encoder(image, with_point=False, with_label=True)
        cases.append(("encoder", "encoder.onnx", {"image": image}, list(downs)))
        cases.append(("encoder padded", "encoder.onnx", {"image": padded}, list(EncoderExport(net)(padded))))
        down_feeds = dict(zip(DOWN, downs))
        cases.append(("point decoder", "point_decoder.onnx", down_feeds, [fp]))
        cases.append(("class decoder", "class_decoder.onnx", down_feeds, [net.class_head.image_post_mapping(fa)]))
        for ids in ([[3]], [[1], [3], [21]]):
            t = torch.tensor(ids, dtype=torch.int64)
            ref = net.class_head(fa, t)[0].transpose(0, 1)
            cases.append((f"class head K={len(ids)}", "class_head.onnx", {"class_features": cf, "class_ids": t}, [ref]))
        for n in (1, 2, 3):
            for zs in (False, True):
                coords = torch.rand(1, n, 3) * (patch - 1)
                labels = torch.tensor([[1, 0, -1][:n]], dtype=torch.int64)
                ref = net.point_head(fp, coords, labels, class_vector=torch.tensor([140 if zs else 3])).transpose(0, 1)
                feeds = {"feat_point": fp_split, "coords": coords, "labels": labels, "zeroshot": torch.tensor([zs])}
                cases.append((f"point head N={n} zeroshot={zs}", "point_head.onnx", feeds, [ref]))
    return cases


def run_with_python_onnxruntime(folder, cases):
    import onnxruntime as ort

    sessions = {}
    results = []
    for name, graph, feeds, _ in cases:
        if graph not in sessions:
            sessions[graph] = ort.InferenceSession(os.path.join(folder, graph), providers=["CPUExecutionProvider"])
        results.append(sessions[graph].run(None, {k: v.numpy() for k, v in feeds.items()}))
    return results


def run_with_node(folder, cases):
    """Debian has no python3-onnxruntime: run the graphs with this repository's onnxruntime-node instead."""
    import json
    import subprocess
    import tempfile

    import numpy as np

    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with tempfile.TemporaryDirectory() as tmp:
        manifest = []
        for c, (name, graph, feeds, refs) in enumerate(cases):
            entry = {"name": name, "graph": os.path.abspath(os.path.join(folder, graph)), "feeds": [], "outputs": len(refs)}
            for key, value in feeds.items():
                array = value.numpy()
                dtype = {"float32": "float32", "int64": "int64", "bool": "bool"}[str(array.dtype)]
                path = os.path.join(tmp, f"{c}_{key}.bin")
                (array.astype(np.uint8) if dtype == "bool" else array).tofile(path)
                entry["feeds"].append({"name": key, "type": dtype, "dims": list(array.shape), "file": path})
            entry["out"] = [os.path.join(tmp, f"{c}_out{i}.bin") for i in range(len(refs))]
            manifest.append(entry)
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            json.dump(manifest, f)
        script = os.path.join(repo, "tools", "vista3d", "run_onnx_cases.ts")
        subprocess.run(["npx", "tsx", script, os.path.join(tmp, "manifest.json")], check=True, cwd=repo)
        results = []
        for entry, (_, _, _, refs) in zip(manifest, cases):
            results.append([np.fromfile(path, dtype=np.float32).reshape(ref.shape) for path, ref in zip(entry["out"], refs)])
        return results


def check(net, folder, patch, tolerance):
    """onnxruntime (Python if installed, else onnxruntime-node) against PyTorch; returns True when all agree."""
    import numpy as np

    cases = check_cases(net, patch)
    try:
        import onnxruntime  # noqa: F401

        results, runner = run_with_python_onnxruntime(folder, cases), "onnxruntime (Python)"
    except ImportError:
        results, runner = run_with_node(folder, cases), "onnxruntime-node (this repository)"
    ok = True
    for (name, _, _, refs), outs in zip(cases, results):
        diff = max(float(np.abs(np.asarray(o) - r.numpy()).max()) for o, r in zip(outs, refs))
        scale = max(float(np.abs(r.numpy()).max()) for r in refs)
        good = diff <= tolerance * max(1.0, scale)
        ok = ok and good
        print(f"check {name}: max |onnx - torch| {diff:.3g} (max |torch| {scale:.3g}) {'ok' if good else 'FAIL'} [{runner}]")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", help="VISTA3D models/model.pt")
    source.add_argument("--random", choices=["small", "vista3d132"], help="seeded random weights instead of a checkpoint (tests, benchmarks)")
    parser.add_argument("--seed", type=int, default=0, help="seed for --random")
    parser.add_argument("--save-weights", help="also write the network's state dict here (.pt), e.g. for tools/vista3d/monai_reference.py")
    parser.add_argument("--output", default="bundle/models", help="folder for the five .onnx files")
    parser.add_argument("--patch", type=int, default=128, help="patch edge used at export (the point head's constants depend on it)")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--check", action="store_true", help="compare onnxruntime with PyTorch afterwards; exit 1 on a mismatch")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest |onnx - torch| accepted by --check, relative to max(1, max |torch|)")
    args = parser.parse_args()
    net = load_network(args.checkpoint, args.random or "vista3d132", args.seed)
    if args.save_weights:
        torch.save(net.state_dict(), args.save_weights)
        print(f"wrote {args.save_weights}")
    export(net, args.output, args.patch, args.opset)
    print(f"wrote {', '.join(GRAPHS)} to {args.output}")
    if args.check and not check(net, args.output, args.patch, args.tolerance):
        raise SystemExit("export check failed: onnxruntime and PyTorch disagree (see above)")


if __name__ == "__main__":
    main()
