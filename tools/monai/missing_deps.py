"""Imported by the MONAI-side tools before MONAI: where a package MONAI optionally imports is not installable
here (einops, for SwinUNETR), puts the stand-ins of tools/monai/shims at the END of sys.path, so an installed
package always wins. Each stand-in says what it covers and refuses the rest."""
import importlib.util
import os
import sys

SHIMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shims")

if importlib.util.find_spec("einops") is None and SHIMS not in sys.path:
    sys.path.append(SHIMS)
