/**
 * `bundle serve` end to end: the built CLI on a loopback port, the shipped VISTA3D bundle with the fast test
 * settings, the sample CT uploaded over HTTP. Results are compared with `bundle run`'s file for the same
 * inputs; every bad request gets its status and error kind and leaves no file behind.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readNifti } from '../../src/image/index.js';
import type { Volume } from '../../src/image/Volume.js';
import { bundleCli } from '../cli/bundleCli.js';
import { cleanup, FAST, runVista, SAMPLE, SPLEEN_VOXEL, valueAt } from '../bundle/vistaRun.js';
import { call, startServe, type ServeProcess } from './serveProcess.js';

const TOKEN = 'test-secret-token';
/** far from SPLEEN_VOXEL along x: its 64-voxel point window does not overlap the spleen's */
const OTHER_VOXEL = [100, 60, 15];

async function volumeOf(bytes: Buffer, dir: string, name: string): Promise<Volume> {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return readNifti(file);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('serve: refusing to start', () => {
  it('a non-loopback host without a token is a usage error (exit 2), before anything loads', async () => {
    const result = await bundleCli(['serve', '--host', '0.0.0.0', '--port', '0'], { env: { BUNDLE_SERVE_TOKEN: '' } });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/^error\[usage\]: Serving on 0\.0\.0\.0, which is not a loopback address, needs a token/);
    expect(result.stderr).to.contain('--token');
  });

  it('a port in use is a usage error (exit 2) that names it, leaving no temporary folder', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'serve-busy-'));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const result = await bundleCli(['serve', '--port', String(port), '--tmp_dir', parent]);
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr).to.contain(`error[usage]: Cannot listen on 127.0.0.1:${port}`);
      expect(result.stderr).to.contain('pick another with --port');
      expect(readdirSync(parent)).to.deep.equal([]);
    } finally {
      blocker.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('serve: the HTTP API on the VISTA3D bundle', function () {
  this.timeout(180_000);
  let server: ServeProcess;
  let work: string;
  let parent: string;
  let dataDir: string;
  let root: string;
  let imageId: string;
  const results: string[] = [];
  const api = (p: string) => new URL(p, server.url).toString();
  const post = (p: string, json: unknown, token: string | null = TOKEN) => call(api(p), { method: 'POST', json, token });

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'serve-test-'));
    parent = path.join(work, 'tmp');
    dataDir = path.join(work, 'data');
    mkdirSync(parent);
    mkdirSync(path.join(dataDir, 'sub'), { recursive: true });
    copyFileSync(SAMPLE, path.join(dataDir, 'sub', 'ct.nii.gz'));
    writeFileSync(path.join(work, 'outside.nii.gz'), readFileSync(SAMPLE));
    symlinkSync(path.join(work, 'outside.nii.gz'), path.join(dataDir, 'link.nii.gz'));
    server = await startServe(['--tmp_dir', parent, '--data_dir', dataDir, '--max_upload_mb', '1', '--queue_limit', '1', '--token', TOKEN, ...FAST]);
    const roots = readdirSync(parent);
    expect(roots).to.have.length(1);
    root = path.join(parent, roots[0]!);
  });

  after(async () => {
    const code = await server?.stop('SIGTERM');
    rmSync(work, { recursive: true, force: true });
    expect(code, server?.output().stderr).to.equal(0);
  });

  it('answers /healthz and serves the committed OpenAPI document, without a token', async () => {
    expect((await call(api('/healthz'))).json).to.deep.equal({ status: 'ok' });
    const doc = await call(api('/openapi.json'));
    expect(doc.json).to.deep.equal(JSON.parse(readFileSync(path.resolve('schemas', 'serve-openapi.json'), 'utf8')));
  });

  it('refuses /api without the token (401, unauthorized) and with a wrong one', async () => {
    for (const token of [null, 'wrong-token']) {
      const r = await call(api('/api/info'), { token });
      expect(r.status).to.equal(401);
      expect(r.json).to.include({ kind: 'unauthorized', where: 'at Authorization' });
      expect(r.json.hint).to.contain('Bearer');
    }
    const info = await call(api('/api/info'), { token: TOKEN });
    expect(info.json).to.include({ bundle: 'VISTA3D', mode: 'prompt', auth: true, data_dir: true, max_upload_bytes: 1024 * 1024 });
    expect(info.json.labels).to.deep.include({ id: 3, name: 'spleen' });
  });

  it('takes an upload and runs a label prompt: the result file equals bundle run\'s, byte for byte', async () => {
    const up = await call(api('/api/images?name=ct.nii.gz'), { body: readFileSync(SAMPLE), token: TOKEN });
    expect(up.status).to.equal(201);
    expect(up.json).to.include({ name: 'ct.nii.gz' });
    expect(up.json.shape).to.deep.equal([122, 101, 30]);
    imageId = up.json.image_id;

    const first = await post(`/api/images/${imageId}/infer`, { label_prompt: [3] });
    expect(first.status, JSON.stringify(first.json)).to.equal(200);
    expect(first.json.preprocessing_cached).to.equal(false);
    expect(first.json.labels).to.have.length(1);
    expect(first.json.labels[0]).to.include({ id: 3, name: 'spleen' });
    results.push(first.json.result_id);
    const download = await call(api(`/api/results/${first.json.result_id}`), { token: TOKEN });
    expect(download.status).to.equal(200);

    const run = await runVista({ image: SAMPLE, label_prompt: [3] }, FAST);
    try {
      expect(run.code, run.stderr).to.equal(0);
      expect(Buffer.compare(download.bytes, readFileSync(run.files[0]!))).to.equal(0);
    } finally {
      cleanup(run);
    }

    // by name, the second time on this image: preprocessing comes from the cache, the result is the same
    const byName = await post(`/api/images/${imageId}/infer`, { label_prompt: ['Spleen'] });
    expect(byName.json.preprocessing_cached).to.equal(true);
    expect(byName.json.labels).to.deep.equal(first.json.labels);
    results.push(byName.json.result_id);
    const again = await call(api(`/api/results/${byName.json.result_id}`), { token: TOKEN });
    expect(Buffer.compare(again.bytes, download.bytes)).to.equal(0);
  });

  it('runs clicks, and a later click with prev_result keeps the earlier result where it does not look', async () => {
    const click = { label_prompt: [3], points: [SPLEEN_VOXEL], point_labels: [1] };
    const first = await post(`/api/images/${imageId}/infer`, click);
    expect(first.status, JSON.stringify(first.json)).to.equal(200);
    expect(first.json.reusable).to.equal(true);
    const alone = await post(`/api/images/${imageId}/infer`, { label_prompt: [3], points: [OTHER_VOXEL], point_labels: [1] });
    const seeded = await post(`/api/images/${imageId}/infer`, { label_prompt: [3], points: [OTHER_VOXEL], point_labels: [1], prev_result: first.json.result_id });
    expect(seeded.status, JSON.stringify(seeded.json)).to.equal(200);
    results.push(first.json.result_id, alone.json.result_id, seeded.json.result_id);
    const [v1, vAlone, vSeeded] = await Promise.all(
      [first, alone, seeded].map(async (r, i) => volumeOf((await call(api(`/api/results/${r.json.result_id}`), { token: TOKEN })).bytes, work, `r${i}.nii.gz`)),
    );
    // at the first click: computed by the first request, not by the second alone, carried over with prev_result
    expect(valueAt(v1!, SPLEEN_VOXEL)).to.not.equal(255);
    expect(valueAt(vAlone!, SPLEEN_VOXEL)).to.equal(255);
    expect(valueAt(vSeeded!, SPLEEN_VOXEL)).to.equal(valueAt(v1!, SPLEEN_VOXEL));
    // at the second click: computed by the second request, not by the first
    expect(valueAt(v1!, OTHER_VOXEL)).to.equal(255);
    expect(valueAt(vSeeded!, OTHER_VOXEL)).to.equal(valueAt(vAlone!, OTHER_VOXEL)).and.not.equal(255);
    // the clicks of a request equal bundle run's for the same input_dict
    const run = await runVista({ image: SAMPLE, ...click }, FAST);
    try {
      const mine = await call(api(`/api/results/${first.json.result_id}`), { token: TOKEN });
      expect(Buffer.compare(mine.bytes, readFileSync(run.files[0]!))).to.equal(0);
    } finally {
      cleanup(run);
    }
  });

  it('names a file under --data_dir, and never one outside it', async () => {
    const listed = await call(api('/api/data_dir'), { token: TOKEN });
    expect(listed.json, 'NIfTI files only, the link leading out left out').to.deep.equal({ files: ['sub/ct.nii.gz'] });
    const ok = await post('/api/images/from_data_dir', { name: 'sub/ct.nii.gz' });
    expect(ok.status).to.equal(201);
    expect(ok.json.shape).to.deep.equal([122, 101, 30]);
    for (const name of ['../outside.nii.gz', 'sub/../../outside.nii.gz', path.join(work, 'outside.nii.gz'), 'link.nii.gz']) {
      const r = await post('/api/images/from_data_dir', { name });
      expect(r.status, name).to.equal(403);
      expect(r.json.kind, name).to.equal('path_not_allowed');
    }
    const missing = await post('/api/images/from_data_dir', { name: 'nope.nii.gz' });
    expect([missing.status, missing.json.kind]).to.deep.equal([404, 'not_found']);
    const del = await call(api(`/api/images/${ok.json.image_id}`), { method: 'DELETE', token: TOKEN });
    expect(del.status).to.equal(204);
    expect(existsSync(path.join(dataDir, 'sub', 'ct.nii.gz')), 'a data_dir file is never deleted').to.equal(true);
  });

  it('answers bad requests with their status and kind, leaving nothing behind', async () => {
    const before = filesUnder(root);
    const cases: Array<[string, Promise<{ status: number; json: any }>, number, string]> = [
      ['not NIfTI', call(api('/api/images?name=x.nii.gz'), { body: Buffer.from('hello, not an image at all'), token: TOKEN }), 415, 'unsupported_media_type'],
      ['not a NIfTI name', call(api('/api/images?name=x.png'), { body: readFileSync(SAMPLE), token: TOKEN }), 415, 'unsupported_media_type'],
      ['JSON to the upload', call(api('/api/images?name=x.nii.gz'), { method: 'POST', json: { a: 1 }, token: TOKEN }), 415, 'unsupported_media_type'],
      ['oversize', call(api('/api/images?name=big.nii'), { body: new Uint8Array(1024 * 1024 + 1), token: TOKEN }), 413, 'payload_too_large'],
      ['unknown label', post(`/api/images/${imageId}/infer`, { label_prompt: ['splen'] }), 400, 'invalid_prompt'],
      ['click outside', post(`/api/images/${imageId}/infer`, { label_prompt: [3], points: [[500, 0, 0]], point_labels: [1] }), 400, 'invalid_prompt'],
      ['points not numbers', post(`/api/images/${imageId}/infer`, { points: 'here' }), 400, 'invalid_request'],
      ['unknown field', post(`/api/images/${imageId}/infer`, { label: [3] }), 400, 'invalid_request'],
      ['unknown image', post('/api/images/no-such-image/infer', { label_prompt: [3] }), 404, 'not_found'],
      ['unknown result', post(`/api/images/${imageId}/infer`, { label_prompt: [3], points: [SPLEEN_VOXEL], point_labels: [1], prev_result: 'gone' }), 404, 'not_found'],
    ];
    for (const [what, pending, status, kind] of cases) {
      const r = await pending;
      expect(r.status, `${what}: ${JSON.stringify(r.json)}`).to.equal(status);
      expect(r.json.kind, what).to.equal(kind);
      expect(r.json.message, what).to.be.a('string').and.not.equal('');
      expect(r.json.hint, what).to.be.a('string').and.not.equal('');
      expect(r.json).to.have.property('where');
    }
    const unknown = await post(`/api/images/${imageId}/infer`, { label_prompt: ['splen'] });
    expect(unknown.json.hint).to.contain('spleen');
    expect(filesUnder(root)).to.deep.equal(before);
  });

  it('refuses with 503 (server_busy) when more requests wait than --queue_limit', async () => {
    const body = { label_prompt: [3] };
    const answers = await Promise.all([0, 1, 2].map(() => post(`/api/images/${imageId}/infer`, body)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).to.deep.equal([200, 200, 503]);
    expect(answers.find((a) => a.status === 503)!.json.kind).to.equal('server_busy');
    results.push(...answers.filter((a) => a.status === 200).map((a) => a.json.result_id));
  });

  it('deletes an image with its results', async () => {
    expect(filesUnder(path.join(root, 'results'))).to.have.length(results.length);
    const del = await call(api(`/api/images/${imageId}`), { method: 'DELETE', token: TOKEN });
    expect(del.status).to.equal(204);
    expect((await call(api(`/api/results/${results[0]}`), { token: TOKEN })).status).to.equal(404);
    expect(filesUnder(root)).to.deep.equal([]);
  });

  it('on SIGTERM answers the request running, then stops and removes its temporary folder', async () => {
    const up = await call(api('/api/images?name=ct.nii.gz'), { body: readFileSync(SAMPLE), token: TOKEN });
    const running = post(`/api/images/${up.json.image_id}/infer`, { label_prompt: [3] });
    await new Promise((r) => setTimeout(r, 300));
    const stopped = server.stop('SIGTERM');
    const answer = await running;
    expect(answer.status, JSON.stringify(answer.json)).to.equal(200);
    expect(answer.json.preprocessing_cached).to.equal(false);
    expect(await stopped).to.equal(0);
    expect(existsSync(root)).to.equal(false);
    expect(server.output().stdout).to.contain('stopped');
  });
});

describe('serve: idle expiry', function () {
  this.timeout(60_000);
  it('deletes an image unused for the idle time', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'serve-idle-'));
    const server = await startServe(['--tmp_dir', parent, '--idle_minutes', '0.02', ...FAST]);
    try {
      const root = path.join(parent, readdirSync(parent)[0]!);
      const up = await call(new URL('/api/images?name=ct.nii.gz', server.url).toString(), { body: readFileSync(SAMPLE) });
      expect(up.status).to.equal(201);
      expect(filesUnder(path.join(root, 'images'))).to.have.length(1);
      await new Promise((r) => setTimeout(r, 3500));
      expect(filesUnder(path.join(root, 'images'))).to.deep.equal([]);
      const gone = await call(new URL(`/api/images/${up.json.image_id}`, server.url).toString());
      expect([gone.status, gone.json.kind]).to.deep.equal([404, 'not_found']);
    } finally {
      expect(await server.stop('SIGINT')).to.equal(0);
      expect(readdirSync(parent)).to.deep.equal([]);
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
