/**
 * Connected-component labelling of 3-D masks: THE one implementation of the project (post-processing
 * and the VISTA3D point logic use it). Two passes over a C-order [X, Y, Z] mask with union-find on typed
 * arrays, no recursion, so that 100M-voxel CT masks are labelled in a few seconds with 4 bytes per voxel.
 *
 * `connectivity` is scikit-image's: the number of orthogonal hops a neighbour may be away.
 * 1 = faces (6 neighbours), 2 = faces and edges (18), 3 = faces, edges and corners (26, the default).
 * Labels are 1-based and numbered in scan order (C order: first voxel of each component in raster order),
 * as skimage.measure.label and scipy.ndimage.label number them.
 */
import { BundleError } from '../../errors/index.js';

export interface Components {
  /** per voxel: 0 background, else the component label 1..count */
  labels: Int32Array;
  count: number;
  /** sizes[k] = number of voxels of component k (k = 1..count); sizes[0] = 0 */
  sizes: number[];
}

/** Offsets (dx, dy, dz) of the already-visited neighbours in C scan order, for a connectivity. */
function backwardOffsets(connectivity: number): Array<[number, number, number]> {
  const offsets: Array<[number, number, number]> = [];
  for (let dx = -1; dx <= 0; dx++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dz = -1; dz <= 1; dz++) {
        if (dx === 0 && (dy > 0 || (dy === 0 && dz >= 0))) continue;
        if (Math.abs(dx) + Math.abs(dy) + Math.abs(dz) <= connectivity) offsets.push([dx, dy, dz]);
      }
  return offsets;
}

export function checkConnectivity(connectivity: number): void {
  if (!Number.isInteger(connectivity) || connectivity < 1 || connectivity > 3) {
    throw new BundleError('invalid_arguments', `Connectivity must be 1, 2 or 3 but is ${connectivity}.`, {
      hint: '1 = 6 face neighbours, 2 = 18 face and edge neighbours, 3 = 26 neighbours (the default)',
    });
  }
}

/** Labels the nonzero voxels of `mask` (C order over `spatialShape` = [X, Y, Z]). */
export function labelComponents(mask: ArrayLike<number>, spatialShape: readonly number[], connectivity = 3): Components {
  checkConnectivity(connectivity);
  const [nx, ny, nz] = spatialShape as [number, number, number];
  const n = nx * ny * nz;
  if (spatialShape.length !== 3 || mask.length !== n) {
    throw new BundleError('invalid_data', `A mask of ${mask.length} voxels does not match the spatial shape [${spatialShape.join(', ')}].`);
  }
  const labels = new Int32Array(n);
  const sy = nz;
  const sx = ny * nz;
  const offsets = backwardOffsets(connectivity).map(([dx, dy, dz]) => ({ dx, dy, dz, step: dx * sx + dy * sy + dz }));
  const count = offsets.length;
  const odx = Int32Array.from(offsets, (o) => o.dx);
  const ody = Int32Array.from(offsets, (o) => o.dy);
  const odz = Int32Array.from(offsets, (o) => o.dz);
  const ostep = Int32Array.from(offsets, (o) => o.step);

  // parent[l] <= l always: a union links the larger root under the smaller, so each set's root is its
  // first provisional label in scan order, which makes the final numbering follow scan order.
  let parent = new Int32Array(1024);
  let next = 1;
  const find = (l: number): number => {
    while (parent[l] !== l) {
      const p = parent[parent[l]!]!;
      parent[l] = p;
      l = p;
    }
    return l;
  };

  // With 26-connectivity, when the previous voxel along z is foreground, every backward neighbour except
  // the four with dz = +1 is also its neighbour and was already joined to it: test only those four.
  const shortcut = connectivity === 3;
  const plusZ: number[] = [];
  for (let k = 0; k < count; k++) if (odz[k] === 1) plusZ.push(k);

  let i = 0;
  for (let x = 0; x < nx; x++) {
    for (let y = 0; y < ny; y++) {
      // interior rows (all neighbours in range) take the fast path with no bounds tests
      const rowInterior = x > 0 && y > 0 && y < ny - 1;
      for (let z = 0; z < nz; z++, i++) {
        if (mask[i] === 0) continue;
        let label = 0;
        const interior = rowInterior && z > 0 && z < nz - 1;
        const previous = z > 0 ? labels[i - 1]! : 0;
        const viaPrevious = shortcut && previous !== 0;
        if (viaPrevious) label = find(previous);
        const todo = viaPrevious ? plusZ.length : count;
        for (let t = 0; t < todo; t++) {
          const k = viaPrevious ? plusZ[t]! : t;
          if (!interior) {
            const xx = x + odx[k]!;
            const yy = y + ody[k]!;
            const zz = z + odz[k]!;
            if (xx < 0 || yy < 0 || yy >= ny || zz < 0 || zz >= nz) continue;
          }
          const other = labels[i + ostep[k]!]!;
          if (other === 0 || other === label) continue;
          if (label === 0) {
            label = find(other);
          } else {
            const a = find(other);
            if (a !== label) {
              if (a < label) {
                parent[label] = a;
                label = a;
              } else parent[a] = label;
            }
          }
        }
        if (label === 0) {
          if (next === parent.length) {
            const grown = new Int32Array(parent.length * 2);
            grown.set(parent);
            parent = grown;
          }
          parent[next] = next;
          label = next++;
        }
        labels[i] = label;
      }
    }
  }

  // final[l]: flatten (parent[l] < l is already final when visited in increasing order) and renumber roots
  const final = new Int32Array(next);
  let components = 0;
  for (let l = 1; l < next; l++) final[l] = parent[l] === l ? ++components : final[find(l)]!;
  const sizes = new Array<number>(components + 1).fill(0);
  for (let j = 0; j < n; j++) {
    const l = labels[j]!;
    if (l !== 0) {
      const f = final[l]!;
      labels[j] = f;
      sizes[f]!++;
    }
  }
  return { labels, count: components, sizes };
}

/**
 * The labels of the `numComponents` largest components, largest first. Equal sizes rank the later label
 * first, as MONAI's `argsort(bincount)[::-1]` does with numpy's (stable for small arrays) sort.
 */
export function largestLabels(components: Components, numComponents = 1): number[] {
  const order = Array.from({ length: components.count }, (_, k) => k + 1);
  order.sort((a, b) => components.sizes[b]! - components.sizes[a]! || b - a);
  return order.slice(0, numComponents);
}

/**
 * MONAI's get_largest_connected_component_mask: 1 on the voxels of the `numComponents` largest components
 * of `mask`, 0 elsewhere. With no more components than that, the mask itself (as 0/1).
 */
export function largestComponentMask(
  mask: ArrayLike<number>,
  spatialShape: readonly number[],
  connectivity = 3,
  numComponents = 1,
): Uint8Array {
  const components = labelComponents(mask, spatialShape, connectivity);
  const out = new Uint8Array(components.labels.length);
  const { labels } = components;
  if (components.count <= numComponents) {
    for (let j = 0; j < labels.length; j++) out[j] = labels[j] !== 0 ? 1 : 0;
    return out;
  }
  const keep = new Uint8Array(components.count + 1);
  for (const l of largestLabels(components, numComponents)) keep[l] = 1;
  for (let j = 0; j < labels.length; j++) out[j] = keep[labels[j]!]!;
  return out;
}

/** The component label at voxel `index` = [i, j, k]; 0 for background or an index outside the volume. */
export function componentAt(labels: Int32Array, spatialShape: readonly number[], index: readonly number[]): number {
  const [nx, ny, nz] = spatialShape as [number, number, number];
  const [i, j, k] = index as [number, number, number];
  if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return 0;
  return labels[(i * ny + j) * nz + k]!;
}

/**
 * The largest component label found in the cube of half-width `radius` around voxel `center` (clamped to
 * the volume); 0 when the cube holds only background. `radius` 0 looks at the voxel itself. This is the
 * lookup of MONAI's keep_merge_components_with_points (voxel, then 3x3x3, then 5x5x5).
 */
export function largestLabelInCube(labels: Int32Array, spatialShape: readonly number[], center: readonly number[], radius: number): number {
  const [nx, ny, nz] = spatialShape as [number, number, number];
  const [ci, cj, ck] = center as [number, number, number];
  let best = 0;
  for (let i = Math.max(0, ci - radius); i <= Math.min(nx - 1, ci + radius); i++)
    for (let j = Math.max(0, cj - radius); j <= Math.min(ny - 1, cj + radius); j++)
      for (let k = Math.max(0, ck - radius); k <= Math.min(nz - 1, ck + radius); k++) {
        const l = labels[(i * ny + j) * nz + k]!;
        if (l > best) best = l;
      }
  return best;
}
