/**
 * Regression tests for the red team's image attacks (issues 13 and 15), each through the real CLI on the
 * threshold test bundle: every one ends in a typed error (exit 1) that names what was wrong, quickly, with no
 * output and no temporary file left.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleCli } from '../cli/bundleCli.js';
import { filesUnder } from '../helpers/files.js';
import { makeThresholdBundle } from '../engine/bundleFixture.js';
import { NiftiEditor, niftiBytes } from './niftiBytes.js';


describe('security: hostile images (CLI)', function () {
  this.timeout(60000);
  let root: string;
  let phantom: Buffer;
  before(async () => {
    root = await makeThresholdBundle();
    phantom = niftiBytes(path.join(root, 'inputs', 'phantom.nii.gz'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  afterEach(() => rmSync(path.join(root, 'eval'), { recursive: true, force: true }));

  async function runOn(name: string, bytes: Uint8Array, ...extra: string[]) {
    const file = path.join(root, 'inputs', name);
    writeFileSync(file, bytes);
    const t0 = Date.now();
    const result = await bundleCli(['run', '--config_file', 'configs/inference.json', '--input_dict', JSON.stringify({ image: file }), '--quiet', ...extra], { cwd: root });
    return { ...result, ms: Date.now() - t0 };
  }

  it('gzip bomb: a 2048x2048x1024 declaration is refused from the header, naming the size and --max_voxels', async () => {
    const header = new NiftiEditor(phantom).setDims([2048, 2048, 1024]).headerOnly();
    // a few MB of zeros compress to a few KB: what a bomb looks like (the data are never reached)
    const bomb = gzipSync(Buffer.concat([header, Buffer.alloc(4 << 20)]));
    expect(bomb.byteLength).to.be.below(20000);
    const r = await runOn('bomb.nii.gz', bomb);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error\[image_too_large\]: the image declares 2048x2048x1024 = 4,294,967,296 values/m);
    expect(r.stderr).to.contain('--max_voxels');
    expect(r.ms).to.be.below(20000);
    expect(filesUnder(path.join(root, 'eval'))).to.deep.equal([]);
  });

  it('gzip bomb: 1024^3 is refused too, and --max_voxels lowers the limit for ordinary images', async () => {
    const r = await runOn('bomb2.nii.gz', gzipSync(Buffer.concat([new NiftiEditor(phantom).setDims([1024, 1024, 1024]).headerOnly(), Buffer.alloc(1 << 20)])));
    expect(r.stderr).to.match(/error\[image_too_large\]: the image declares 1024x1024x1024/);
    const small = await runOn('phantom2.nii', phantom, '--max_voxels', '1000');
    expect(small.code).to.equal(1);
    expect(small.stderr).to.match(/error\[image_too_large\]: the image declares 20x18x12 = 4,320 values, more than the limit of 1,000/);
  });

  it('spacing bomb: voxels relabelled as 200 mm make Spacingd refuse its output grid before allocating it', async () => {
    // the red team's edit: voxel sizes only (pixdim), the affine then comes from them
    const relabelled = new NiftiEditor(phantom).setCodes(0, 0).setPixdim(1, 200).setPixdim(2, 200).setPixdim(3, 200);
    const r = await runOn('spacing_bomb.nii', relabelled.bytes);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/error\[image_too_large\]: Spacingd would resample "image" \(voxels of 200x200x200 mm, grid 20x18x12\) to a grid of 1x3801x3401x2201 = 28,452,769,401 values/);
    expect(r.stderr).to.contain('preprocessing_transforms::3');
    expect(r.ms).to.be.below(20000);
  });

  it('pixdim[1]=3.4e38 with both codes 0: refused on read, no output written and no "completed" summary', async () => {
    const bytes = new NiftiEditor(phantom).setCodes(0, 0).setPixdim(1, 3.4e38).bytes;
    const r = await runOn('pixdim_bomb.nii', bytes);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/error\[invalid_image\]: the image geometry \(from the pixdim\) is absurd: affine\[0\]\[0\] is -?3\.\d+e\+38 mm/);
    expect(r.stdout).not.to.contain('done:');
    expect(filesUnder(path.join(root, 'eval')).filter((f) => f.endsWith('.nii.gz'))).to.deep.equal([]);
  });

  it('a FIFO or /dev/zero as the image: named for what it is, read never started (no hang)', async () => {
    const fifo = path.join(root, 'inputs', 'pipe.nii');
    execFileSync('mkfifo', [fifo]);
    for (const [file, kind] of [[fifo, 'a named pipe (FIFO)'], ['/dev/zero', 'a character device']] as const) {
      const r = await bundleCli(['run', '--config_file', 'configs/inference.json', '--input_dict', JSON.stringify({ image: file }), '--quiet'], { cwd: root });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain(`error[invalid_image]: the image path is ${kind}, not a regular file`);
    }
  });

  it('a newline in an input file name cannot forge an error[...] line: control characters are escaped', async () => {
    const forged = path.join(root, 'inputs', 'x\nerror[forged]: all good\x1b[2K.nii.gz');
    const r = await bundleCli(['run', '--config_file', 'configs/inference.json', '--input_dict', JSON.stringify({ image: forged })], { cwd: root });
    expect(r.code).to.equal(1);
    const lines = r.stderr.split('\n');
    expect(lines.filter((l) => l.startsWith('error['))).to.have.length(1);
    expect(r.stderr).to.contain('x\\nerror[forged]: all good\\x1b[2K.nii.gz');
    expect(r.stderr).not.to.contain('\x1b[2K');
  });

  it('--intra_op_num_threads 100000 is bounded by the machine\'s cores, with a warning, and the run succeeds', async () => {
    const r = await bundleCli(['run', '--config_file', 'configs/inference.json', '--network_def::intra_op_num_threads', '100000', '--network_def::inter_op_num_threads', '100000', '--quiet'], { cwd: root });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/warning: intra_op_num_threads: 100000 threads requested but this machine has \d+ cores; using \d+/);
    expect(r.stderr).to.match(/warning: inter_op_num_threads: 100000 threads requested/);
  });
});
