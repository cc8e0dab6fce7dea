/**
 * The demo network's hand-chosen weights: Hounsfield bands (the encoder's features) and, per VISTA3D class,
 * the HU range the class head calls foreground. Ranges are typical values for CT (soft-tissue organs 20-80 HU
 * without contrast, fat -150..-50, lung parenchyma -900..-400, contrast-filled vessels 120-300, bone above
 * 120 once cortex and marrow are averaged at 1.5 mm), snapped to the band edges below. They are a crude
 * intensity lookup, not anatomy: the demo network does not segment like VISTA3D.
 */

/** ScaleIntensityRanged constants of the bundle: scaled = (HU - A_MIN) / (A_MAX - A_MIN), clipped to [0, 1]. */
export const A_MIN = -963.8247715525971;
export const A_MAX = 1053.678477684517;

/** HU -> the value the network sees. */
export const scaled = (hu: number): number => (hu - A_MIN) / (A_MAX - A_MIN);

/**
 * Band edges in HU. Band 0 is below the first edge, band i lies between edges i-1 and i, the last band above
 * the last edge; the soft bands sum to 1 at every voxel.
 */
export const BAND_EDGES_HU = [-900, -400, -150, -50, 0, 15, 25, 40, 50, 60, 80, 120, 180, 300, 500] as const;
export const CHANNELS = BAND_EDGES_HU.length + 1;

/** Width in HU over which a band edge goes from 12% to 88% (sigmoid steepness 1 / (EDGE_SOFTNESS_HU / 4)). */
export const EDGE_SOFTNESS_HU = 8;

/** A representative HU per band (its middle; the open bands get a value beyond their edge). */
export function bandCentresHu(): number[] {
  const e = BAND_EDGES_HU;
  return Array.from({ length: CHANNELS }, (_, i) => (i === 0 ? e[0] - 100 : i === CHANNELS - 1 ? e[e.length - 1] + 300 : (e[i - 1]! + e[i]!) / 2));
}

/** Gaussian smoothing taps applied along each axis before the bands (1.5 mm voxels: about 3 mm sigma). */
export const SMOOTHING_TAPS = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16] as const;

/** Class-head logit gain: logit = gain * (membership inside the range - membership outside). */
export const CLASS_GAIN = 8;

/** Point head: spatial falloff sigma (voxels), similarity width between bands (HU), threshold, gain. */
export const POINT_SIGMA_VOXELS = 16;
export const POINT_SIMILARITY_HU = 30;
export const POINT_THRESHOLD = 0.5;
/** zero-shot objects (ids > 132) need a closer match: the threshold is raised by this much */
export const POINT_ZEROSHOT_EXTRA = 0.1;
export const POINT_GAIN = 8;

const span = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** [lo, hi) in HU per group of class ids; ids not listed (0, air-filled classes, 133-511) are never foreground. */
export const CLASS_RANGES_HU: ReadonlyArray<{ ids: number[]; lo: number; hi: number; why: string }> = [
  { ids: [1], lo: 40, hi: 80, why: 'liver: brighter than spleen and muscle without contrast' },
  { ids: [3], lo: 25, hi: 40, why: 'spleen: between muscle and liver without contrast' },
  { ids: [4, 24], lo: 15, hi: 50, why: 'pancreas, pancreatic tumour' },
  { ids: [2, 5, 14, 129], lo: 15, hi: 40, why: 'kidneys, kidney mass' },
  { ids: [116, 117], lo: 0, hi: 15, why: 'kidney cysts: fluid' },
  { ids: [6, 7, 17, 25, 58, 59, 60, 61, 108, 109, 110, 111, 112, 113, 119, 123, 124, 125], lo: 120, hi: 300, why: 'vessels with contrast' },
  { ids: [115], lo: 25, hi: 60, why: 'heart: blood pool without contrast' },
  { ids: [8, 9], lo: 0, hi: 40, why: 'adrenal glands' },
  { ids: [10, 15], lo: 0, hi: 25, why: 'gallbladder, bladder: fluid' },
  { ids: [11, 12, 13, 18, 19, 62], lo: 0, hi: 50, why: 'oesophagus, stomach, duodenum, rectum, small bowel, colon: wall and content' },
  { ids: [16, 118], lo: 25, hi: 50, why: 'prostate / uterus' },
  { ids: [20, 28, 29, 30, 31, 32], lo: -900, hi: -400, why: 'lung and its lobes: aerated parenchyma' },
  { ids: [23, 26, 27, 130], lo: 15, hi: 60, why: 'tumours: soft tissue' },
  { ids: [22], lo: 15, hi: 50, why: 'brain' },
  { ids: [98, 99, 100, 101, 102, 103, 104, 105, 106, 107], lo: 15, hi: 50, why: 'muscles (gluteus, autochthon, iliopsoas)' },
  { ids: [121], lo: 0, hi: 40, why: 'spinal cord' },
  { ids: [114, 126], lo: 80, hi: 120, why: 'costal cartilages, thyroid' },
  { ids: [21, ...span(33, 56), ...span(63, 97), 120, 122, 127, 131], lo: 120, hi: Infinity, why: 'bone: vertebrae, ribs, limbs, pelvis, skull, sternum' },
  { ids: [128], lo: 300, hi: Infinity, why: 'bone lesion: sclerotic' },
];

/** Which bands lie inside [lo, hi): the bands between the edges lo and hi (which must be edges or infinite). */
export function bandsInside(lo: number, hi: number): boolean[] {
  const e = BAND_EDGES_HU as readonly number[];
  const first = lo === -Infinity ? 0 : e.indexOf(lo) + 1;
  const last = hi === Infinity ? CHANNELS - 1 : e.indexOf(hi);
  if ((lo !== -Infinity && first === 0) || (hi !== Infinity && last === -1)) throw new Error(`class range [${lo}, ${hi}) is not on the band edges`);
  return Array.from({ length: CHANNELS }, (_, i) => i >= first && i <= last);
}

/** The 512-row class embedding table [512, CHANNELS]: +gain on bands inside the class's range, -gain elsewhere. */
export function classTable(): Float32Array {
  const rows = 512;
  const table = new Float32Array(rows * CHANNELS).fill(-CLASS_GAIN);
  for (const group of CLASS_RANGES_HU) {
    const inside = bandsInside(group.lo, group.hi);
    for (const id of group.ids) inside.forEach((isIn, c) => (table[id * CHANNELS + c] = isIn ? CLASS_GAIN : -CLASS_GAIN));
  }
  return table;
}
