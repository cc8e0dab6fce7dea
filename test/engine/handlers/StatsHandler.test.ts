import { expect } from 'chai';
import { SupervisedEvaluator } from '../../../src/engine/Evaluator.js';
import { StatsHandler } from '../../../src/engine/handlers/StatsHandler.js';
import type { Logger } from '../../../src/registry/ComponentEntry.js';
import { doubler, transform, volume, WholeInferer } from '../fakes.js';

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

const data = () => [{ image: volume([1], [1, 1, 1], '/data/a.nii.gz') }, { image: volume([2], [1, 1, 1], '/data/b.nii.gz') }];

describe('StatsHandler', () => {
  it('logs each finished item with its input file and stage times, then the end of the run', async () => {
    const logger = memoryLogger();
    await new SupervisedEvaluator({ valDataLoader: data(), network: doubler, inferer: new WholeInferer(), valHandlers: [new StatsHandler({ logger })] }).run();
    expect(logger.lines).to.have.length(3);
    expect(logger.lines[0]).to.match(/^info: evaluator: item 1\/2 a\.nii\.gz \(preprocessing [\d.]+ s, inference [\d.]+ s, postprocessing [\d.]+ s\)$/);
    expect(logger.lines[1]).to.contain('item 2/2 b.nii.gz');
    expect(logger.lines[2]).to.match(/^info: evaluator: 2 items done in [\d.]+ s$/);
  });

  it('stays quiet per item with iteration_log false, as the VISTA3D bundle configures it', async () => {
    const logger = memoryLogger();
    await new SupervisedEvaluator({ valDataLoader: data(), network: doubler, inferer: new WholeInferer(), valHandlers: [new StatsHandler({ logger, iterationLog: false })] }).run();
    expect(logger.lines).to.have.length(1);
    expect(logger.lines[0]).to.contain('2 items done');
  });

  it('names the input of the item that failed', async () => {
    const logger = memoryLogger();
    const evaluator = new SupervisedEvaluator({
      valDataLoader: data(),
      network: doubler,
      inferer: new WholeInferer(),
      postprocessing: transform('fail', (s) => {
        if ((s.image as { meta: { filename: string } }).meta.filename.endsWith('b.nii.gz')) throw new Error('bad');
        return s;
      }),
      valHandlers: [new StatsHandler({ logger })],
    });
    await evaluator.run().catch(() => undefined);
    expect(logger.lines.at(-1)).to.equal('error: evaluator: item 2/2 failed (/data/b.nii.gz)');
  });
});
