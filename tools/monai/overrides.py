"""The one way the MONAI-side tools (export_network.py, reference.py, make_zoo_fixtures.py) override config ids.

An override is `ID=JSON`: ID as in MONAI's ConfigParser (`#` between levels, e.g. `network_def#channels`),
JSON the new value (`[4,8,16,32,64]`, `"text"`, `3`). `~ID=null` removes ID (e.g. an argument that the MONAI
in use no longer takes, as SwinUNETR's `img_size` since MONAI 1.5). export_network.py and reference.py apply the same list
to the same config, so a reduced-width network (for committed test fixtures) is the bundle's own class built
with the same arguments on both sides.
"""
import json


def parse_override(item):
    """`ID=JSON` -> (id, value); exits with a message naming the item when it is not of that form."""
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise SystemExit(f"error: --set {item!r}: expected ID=JSON, e.g. network_def#channels=[4,8,16,32,64]")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError as e:
        raise SystemExit(f"error: --set {item!r}: the value after '=' is not JSON ({e.msg}); quote strings as \"text\"")


def apply_overrides(parser, items):
    """Sets each `ID=JSON` of items on a monai.bundle.ConfigParser, in order; an unknown parent id is an error."""
    for item in items:
        key, value = parse_override(item)
        remove = key.startswith("~")
        key = key.lstrip("~")
        parent, _, last = key.rpartition("#")
        if parent and parent not in parser:
            raise SystemExit(f"error: --set {item!r}: the config has no id {parent!r}")
        if not remove:
            parser[key] = value
        elif value is not None or key not in parser:
            raise SystemExit(f"error: --set {item!r}: ~ID removes an id the config has, and takes the value null")
        else:
            container = parser[parent] if parent else parser.config
            del container[int(last) if isinstance(container, list) else last]


def override_args(mapping):
    """{id: value} (as in a cases file) -> the `ID=JSON` strings the scripts take after --set."""
    return [f"{key}={json.dumps(value)}" for key, value in (mapping or {}).items()]
