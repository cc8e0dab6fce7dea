/**
 * `bundle run --preview out.png`: axial, coronal and sagittal slices through the centroid of the largest label
 * of an output, side by side, the input image in grey with the labels overlaid in colour. Both volumes are
 * reoriented to RAS and shown in radiological convention (patient right on the left of the picture, anterior
 * and superior up), with square millimetres per pixel whatever the voxel spacing. Generic over label maps.
 */
import { PNG } from 'pngjs';
import { BundleError } from '../errors/index.js';
import { spacingOf } from '../image/geometry.js';
import { axcodesToOrnt, ioOrientation, orntTransform, reorientData } from '../image/orientation.js';
import { spatialShape, type Volume } from '../image/Volume.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { NOT_COMPUTED } from './summary.js';

/** Longest panel side in pixels. */
const PANEL_PIXELS = 320;
const GAP = 4;
const OVERLAY_ALPHA = 0.5;

interface RasVolume {
  data: ArrayLike<number>;
  shape: [number, number, number];
  spacing: [number, number, number];
}

function toRas(volume: Volume): RasVolume {
  const ornt = orntTransform(ioOrientation(volume.affine), axcodesToOrnt('RAS'));
  const spatial = spatialShape(volume);
  const channel0 = volume.data.subarray(0, spatial[0]! * spatial[1]! * spatial[2]!);
  const { data, shape } = reorientData(channel0, [1, ...spatial], ornt);
  const spacing = [0, 0, 0] as [number, number, number];
  const from = spacingOf(volume.affine);
  ornt.forEach(([axis], i) => (spacing[axis] = from[i]!));
  return { data, shape: shape.slice(1) as [number, number, number], spacing };
}

/** The label with the most voxels (not 0, not 255) and its centroid in index space; null when there is none. */
export function largestLabel(labels: RasVolume): { id: number; centroid: [number, number, number] } | null {
  const [, Y, Z] = labels.shape;
  const stats = new Map<number, { n: number; x: number; y: number; z: number }>();
  for (let i = 0; i < labels.data.length; i++) {
    const id = labels.data[i]!;
    if (id === 0 || id === NOT_COMPUTED || Number.isNaN(id)) continue;
    let s = stats.get(id);
    if (!s) stats.set(id, (s = { n: 0, x: 0, y: 0, z: 0 }));
    s.n++;
    s.x += Math.floor(i / (Y * Z));
    s.y += Math.floor(i / Z) % Y;
    s.z += i % Z;
  }
  let best: [number, { n: number; x: number; y: number; z: number }] | null = null;
  for (const entry of stats) if (!best || entry[1].n > best[1].n) best = entry;
  if (!best) return null;
  const s = best[1];
  return { id: best[0], centroid: [Math.round(s.x / s.n), Math.round(s.y / s.n), Math.round(s.z / s.n)] };
}

/** Grey levels: a soft-tissue window for CT (values below -500 present), else the 1st-99th percentiles. */
function greyWindow(data: ArrayLike<number>): [number, number] {
  const step = Math.max(1, Math.floor(data.length / 200_000));
  const sample: number[] = [];
  for (let i = 0; i < data.length; i += step) if (Number.isFinite(data[i]!)) sample.push(data[i]!);
  sample.sort((a, b) => a - b);
  if (sample.length === 0) return [0, 1];
  if (sample[0]! < -500) return [-160, 240];
  const lo = sample[Math.floor(0.01 * (sample.length - 1))]!;
  const hi = sample[Math.floor(0.99 * (sample.length - 1))]!;
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/** A distinct, stable colour per label id (golden-angle hues). */
export function labelColour(id: number): [number, number, number] {
  const h = (id * 137.508) % 360;
  const f = (n: number) => {
    const k = (n + h / 60) % 6;
    return Math.round(255 * (1 - 0.85 * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

type Plane = 'axial' | 'coronal' | 'sagittal';

/** For a plane: which RAS axes run across (columns) and down (rows), and whether each is flipped on screen. */
const PLANES: Record<Plane, { fixed: number; across: number; down: number; flipAcross: boolean }> = {
  axial: { fixed: 2, across: 0, down: 1, flipAcross: true },
  coronal: { fixed: 1, across: 0, down: 2, flipAcross: true },
  sagittal: { fixed: 0, across: 1, down: 2, flipAcross: true },
};

/** Renders the three planes through the largest label's centroid as one RGBA PNG. */
export function renderPreview(image: Volume | null, labels: Volume): Buffer {
  const lab = toRas(labels);
  const img = image ? toRas(image) : null;
  if (img && img.shape.some((s, i) => s !== lab.shape[i])) {
    throw new BundleError('invalid_data', `The input image (${img.shape.join('x')}) and the output (${lab.shape.join('x')}) are on different grids.`, {
      hint: 'the preview overlays an output on the input it was computed from',
    });
  }
  const largest = largestLabel(lab);
  const centre = largest?.centroid ?? lab.shape.map((s) => Math.floor(s / 2));
  const extent = lab.shape.map((s, i) => s * lab.spacing[i]!);
  const mmPerPixel = Math.max(...extent) / PANEL_PIXELS;
  const [lo, hi] = img ? greyWindow(img.data) : [0, 1];
  const panels = (Object.keys(PLANES) as Plane[]).map((plane) => {
    const { fixed, across, down, flipAcross } = PLANES[plane];
    const width = Math.max(1, Math.round(extent[across]! / mmPerPixel));
    const height = Math.max(1, Math.round(extent[down]! / mmPerPixel));
    return { fixed, across, down, flipAcross, width, height };
  });
  const width = panels.reduce((a, p) => a + p.width, 0) + GAP * (panels.length - 1);
  const height = Math.max(...panels.map((p) => p.height));
  const png = new PNG({ width, height });
  png.data.fill(0);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  const [, Y, Z] = lab.shape;
  let left = 0;
  for (const p of panels) {
    for (let row = 0; row < p.height; row++) {
      // superior / anterior at the top: the down axis runs bottom to top
      const d = Math.min(lab.shape[p.down]! - 1, Math.floor(((p.height - 1 - row + 0.5) * mmPerPixel) / lab.spacing[p.down]!));
      for (let col = 0; col < p.width; col++) {
        const a0 = Math.min(lab.shape[p.across]! - 1, Math.floor(((col + 0.5) * mmPerPixel) / lab.spacing[p.across]!));
        const a = p.flipAcross ? lab.shape[p.across]! - 1 - a0 : a0;
        const index = [0, 0, 0];
        index[p.fixed] = centre[p.fixed]!;
        index[p.across] = a;
        index[p.down] = d;
        const v = (index[0]! * Y + index[1]!) * Z + index[2]!;
        const grey = img ? Math.round(255 * Math.min(1, Math.max(0, (img.data[v]! - lo) / (hi - lo)))) : 0;
        let rgb: [number, number, number] = [grey, grey, grey];
        const id = lab.data[v]!;
        if (id !== 0 && id !== NOT_COMPUTED && !Number.isNaN(id)) {
          const c = labelColour(id);
          rgb = rgb.map((g, k) => Math.round((1 - OVERLAY_ALPHA) * g + OVERLAY_ALPHA * c[k]!)) as [number, number, number];
        }
        const o = (row * width + left + col) * 4;
        png.data[o] = rgb[0];
        png.data[o + 1] = rgb[1];
        png.data[o + 2] = rgb[2];
      }
    }
    left += p.width + GAP;
  }
  return PNG.sync.write(png);
}

/** Writes the preview atomically; returns the largest label shown (null: an empty output, slices at the centre). */
export function writePreview(file: string, image: Volume | null, labels: Volume): number | null {
  writeFileAtomic(file, renderPreview(image, labels), 'the preview');
  return largestLabel(toRas(labels))?.id ?? null;
}
