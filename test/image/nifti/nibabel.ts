/**
 * nibabel as an external oracle: Debian's python3-nibabel, run through /usr/bin/python3. Suites that use
 * it skip with a message where it is not installed (CI installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';

const PYTHON = '/usr/bin/python3';
let available: boolean | undefined;

export function hasNibabel(): boolean {
  if (available === undefined) {
    const probe = spawnSync(PYTHON, ['-c', 'import nibabel'], { stdio: 'ignore' });
    available = probe.status === 0;
  }
  return available;
}

/** Skips the calling suite when nibabel is missing. */
export function requireNibabel(ctx: Mocha.Context): void {
  if (!hasNibabel()) {
    console.log('      (skipped: /usr/bin/python3 with nibabel is not available; apt-get install python3-nibabel)');
    ctx.skip();
  }
}

/** Runs a Python snippet that prints one JSON document; `args` become sys.argv[1:]. */
export function runPython<T>(script: string, args: string[]): T {
  const out = execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out) as T;
}

export interface NibabelView {
  shape: number[];
  dtype: string;
  /** nibabel's affine after MONAI's header correction, as MONAI's LoadImage sees it */
  affine: number[][];
  qform: number[][];
  sformCode: number;
  qformCode: number;
  zooms: number[];
  /** float32 values, channel first (last file axis moved first; 2-D and 3-D get a channel of 1), C order, base64 */
  float32: string;
}

/**
 * What nibabel makes of each file. The affine goes through the rule of MONAI's
 * correct_nifti_header_if_necessary (spec 2.1), restated here independently of the TypeScript code.
 */
export function nibabelView(files: string[]): NibabelView[] {
  return runPython<NibabelView[]>(
    `
import base64, json, sys
import nibabel as nib, numpy as np

def corrected_affine(img):
    hdr = img.header
    d = int(hdr['dim'][0])
    if d >= 5:
        return img.affine
    zooms = np.asarray(hdr.get_zooms())[:d]
    norms = lambda a: np.sqrt((np.asarray(a)[:d, :d] ** 2).sum(axis=0))
    if np.allclose(zooms, norms(img.affine)):
        return img.affine
    sform, qform = img.get_sform(), img.get_qform()
    sform_ok, qform_ok = np.allclose(norms(sform), zooms), np.allclose(norms(qform), zooms)
    if hdr['sform_code'] != 0:
        if sform_ok:
            return img.affine
        if qform_ok:
            img.set_sform(qform)
            return img.affine
    if hdr['qform_code'] != 0:
        if qform_ok:
            return img.affine
        if sform_ok:
            img.set_qform(sform)
            return img.affine
    return img.affine

out = []
for f in sys.argv[1:]:
    img = nib.load(f)
    data = np.asanyarray(img.dataobj)
    raw_dtype = str(img.get_data_dtype().newbyteorder('='))
    values = data.astype(np.float32)
    values = values[None] if values.ndim <= 3 else np.moveaxis(values, -1, 0)
    out.append(dict(
        shape=list(img.shape), dtype=raw_dtype, affine=corrected_affine(img).tolist(),
        qform=img.header.get_qform().tolist(), sformCode=int(img.header['sform_code']),
        qformCode=int(img.header['qform_code']), zooms=[float(z) for z in img.header.get_zooms()],
        float32=base64.b64encode(np.ascontiguousarray(values).tobytes()).decode()))
print(json.dumps(out))
`,
    files,
  );
}
