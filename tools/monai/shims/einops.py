"""Stand-in for einops.rearrange, which MONAI's SwinUNETR uses only to move the channel axis
("b c d h w -> b d h w c" and back). einops is not installable here (see tools/monai/missing_deps.py); this
covers pure axis permutations, as einops defines them, and refuses every other pattern."""


def rearrange(tensor, pattern, **axes_lengths):
    left, arrow, right = pattern.partition("->")
    source, target = left.split(), right.split()
    if not arrow or axes_lengths or sorted(source) != sorted(target) or len(set(source)) != len(source) \
            or any(not name.isidentifier() for name in source) or len(source) != tensor.dim():
        raise NotImplementedError(f"einops stand-in (tools/monai/shims): only axis permutations, not {pattern!r}")
    return tensor.permute(*[source.index(name) for name in target])
