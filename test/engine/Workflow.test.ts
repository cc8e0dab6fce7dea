import { expect } from 'chai';
import { BundleErrorList } from '../../src/errors/index.js';
import { Workflow } from '../../src/engine/Workflow.js';
import { rawConfig } from './fakes.js';

/** A config whose items are functions; runItem calls them (uncached), and logs what ran. */
function fakeConfig(raw: Record<string, unknown>) {
  const ran: string[] = [];
  const config = rawConfig(raw);
  return {
    ...config,
    ran,
    runItem: async (id: string) => {
      ran.push(id);
      return config.raw(id);
    },
  };
}

const props = { bundle_root: '.', network_def: 1, inferer: 1, dataset: 1, evaluator: 1 };

describe('Workflow', () => {
  it('runs initialize, run and finalize in order, each list item in order', async () => {
    const config = fakeConfig({ ...props, initialize: ['i0', 'i1'], run: ['r0'], finalize: 'f' });
    await new Workflow(config).execute();
    expect(config.ran).to.deep.equal(['initialize::0', 'initialize::1', 'run::0', 'finalize']);
  });

  it('runs the sections named by init_id, run_id and final_id', async () => {
    const config = fakeConfig({ ...props, setup: 's', go: ['g0', 'g1'], run: ['not me'] });
    await new Workflow(config, { initId: 'setup', runId: 'go', finalId: 'teardown' }).execute();
    expect(config.ran).to.deep.equal(['setup', 'go::0', 'go::1']);
  });

  it('re-executes a section run twice', async () => {
    const config = fakeConfig({ ...props, run: ['r'] });
    const workflow = new Workflow(config);
    await workflow.run();
    await workflow.run();
    expect(config.ran).to.deep.equal(['run::0', 'run::0']);
  });

  it('reports missing properties and a missing run section together, before running anything', async () => {
    const config = fakeConfig({ bundle_root: '.', initialize: ['i'], runn: ['x'] });
    const error = await new Workflow(config).execute().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(BundleErrorList);
    const list = error as BundleErrorList;
    expect(list.errors.map((e) => `${e.kind}:${e.location.id}`)).to.deep.equal([
      'missing_property:network_def', 'missing_property:inferer', 'missing_property:dataset', 'missing_property:evaluator', 'id_not_found:run',
    ]);
    expect(list.errors.at(-1)!.candidates).to.deep.equal(['runn']);
    expect(config.ran).to.deep.equal([]);
  });

  it('skips the property check when no property table is given', async () => {
    const config = fakeConfig({ run: 'r' });
    await new Workflow(config, { properties: null }).execute();
    expect(config.ran).to.deep.equal(['run']);
  });
});
