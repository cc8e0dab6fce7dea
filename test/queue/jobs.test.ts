/** Jobs are data: deterministic ids, the data-only rule, path mapping (no Redis needed). */
import { expect } from 'chai';
import { checkOverrides, JOB_FORMAT, type JobData, jobIdOf, jobOverrides, mapPaths, parseJobData, parsePathMaps } from '../../src/queue/jobs.js';
import { thrown } from '../helpers/errors.js';

function expectBundleError(fn: () => unknown, kind: string, message: RegExp): void {
  const e = thrown(fn);
  expect(e.kind).to.equal(kind);
  expect(e.message).to.match(message);
}

const base: JobData = {
  format: JOB_FORMAT,
  input: '/nas/cohort/a.nii.gz',
  imageKey: 'image',
  overrides: [{ id: 'output_dir', value: '/nas/out' }],
  configHash: 'c'.repeat(64),
  identity: 'size:10:mtime:5',
};

describe('queue: jobs', () => {
  it('a job id depends on the config, the overrides, the input and its identity, and on nothing else', () => {
    const id = jobIdOf(base);
    expect(id).to.match(/^j[0-9a-f]{32}$/);
    expect(jobIdOf({ ...base })).to.equal(id);
    for (const changed of [
      { configHash: 'd'.repeat(64) },
      { input: '/nas/cohort/b.nii.gz' },
      { identity: 'size:10:mtime:6' },
      { overrides: [{ id: 'output_dir', value: '/nas/out2' }] },
      { template: { label_prompt: [3] } },
    ]) {
      expect(jobIdOf({ ...base, ...changed }), JSON.stringify(changed)).to.not.equal(id);
    }
  });

  it('rejects _target_, _requires_, _mode_ and every sigil string anywhere in the data, naming where', () => {
    expectBundleError(() => checkOverrides([{ id: 'network_def::_target_', value: 'Identity' }]), 'job_rejected', /network_def::_target_/);
    expectBundleError(() => checkOverrides([{ id: 'a', value: { b: [{ _requires_: [] }] } }]), 'job_rejected', /--a\.b\[0\] sets "_requires_"/);
    expectBundleError(() => checkOverrides([{ id: 'a', value: ['x', '$1+1'] }]), 'job_rejected', /--a\[1\] is an expression/);
    expectBundleError(() => checkOverrides([{ id: 'a', value: '@b' }]), 'job_rejected', /reference/);
    expectBundleError(() => checkOverrides([{ id: 'a', value: '%f.json::x' }]), 'job_rejected', /macro/);
    expect(() => checkOverrides([{ id: 'a', value: { image: '/x.nii.gz', label_prompt: [3], _disabled_: true } }])).to.not.throw();
  });

  it('parseJobData refuses malformed data before anything runs', () => {
    expect(parseJobData(JSON.parse(JSON.stringify(base)))).to.deep.equal(base);
    expectBundleError(() => parseJobData({ ...base, format: 2 }), 'job_rejected', /format/);
    expectBundleError(() => parseJobData({ ...base, input: 7 }), 'job_rejected', /"input"/);
    expectBundleError(() => parseJobData({ ...base, overrides: [{ id: 'x' }] }), 'job_rejected', /overrides/);
    expectBundleError(() => parseJobData({ ...base, template: { image: '$x' } }), 'job_rejected', /template/);
  });

  it('--path_map rewrites the prefix of every path in the job, first match first', () => {
    const maps = parsePathMaps(['/nas=/mnt/data', '/other=/o']);
    expect(jobOverrides({ ...base, template: { image: '', mask: '/nas/m.nii.gz' } }, maps)).to.deep.equal([
      { id: 'output_dir', value: '/mnt/data/out' },
      { id: 'input_dict', value: { image: '', mask: '/mnt/data/m.nii.gz' } },
      { id: 'input_dict::image', value: '/mnt/data/cohort/a.nii.gz' },
    ]);
    expect(mapPaths([1, '/elsewhere/x'], maps)).to.deep.equal([1, '/elsewhere/x']);
    expectBundleError(() => parsePathMaps(['nodelimiter']), 'usage', /from=to/);
  });
});
