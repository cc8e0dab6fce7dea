/**
 * MONAI's StatsHandler for an evaluator: logs each finished item (`iteration_log`) and the end of the run
 * (`epoch_log`) through the bundle's logger, and names the item that failed. MONAI's loss and metric
 * printing has no counterpart (inference has neither).
 */
import path from 'node:path';
import { type Logger, silentLogger } from '../../registry/ComponentEntry.js';
import type { EngineEvent, Handler, ItemRecord } from '../events.js';
import { volumeFiles } from '../tensors.js';

export interface StatsHandlerOptions {
  iterationLog?: boolean;
  epochLog?: boolean;
  /** prefix of every line (MONAI's `name`, the logger name) */
  tag?: string;
  logger?: Logger;
}

export class StatsHandler implements Handler {
  readonly name = 'StatsHandler';
  private readonly iterationLog: boolean;
  private readonly epochLog: boolean;
  private readonly tag: string;
  private readonly logger: Logger;

  constructor(options: StatsHandlerOptions = {}) {
    this.iterationLog = options.iterationLog ?? true;
    this.epochLog = options.epochLog ?? true;
    this.tag = options.tag ?? 'evaluator';
    this.logger = options.logger ?? silentLogger;
  }

  onEvent(event: EngineEvent): void {
    const { state } = event;
    const of = state.epochLength !== undefined ? `/${state.epochLength}` : '';
    switch (event.name) {
      case 'iteration_completed': {
        if (!this.iterationLog) return;
        const item = state.items[state.items.length - 1]!;
        this.logger.info(`${this.tag}: item ${item.index}${of} ${describeItem(item)}`);
        return;
      }
      case 'epoch_completed': {
        if (!this.epochLog) return;
        const seconds = (performance.now() - state.startTime) / 1000;
        const n = state.items.length;
        this.logger.info(`${this.tag}: ${n} item${n === 1 ? '' : 's'} done in ${seconds.toFixed(2)} s`);
        return;
      }
      case 'exception_raised': {
        const inputs = state.sample ? Object.values(volumeFiles(state.sample, 'filename')) : [];
        const where = inputs.length ? ` (${inputs.join(', ')})` : '';
        this.logger.error(`${this.tag}: item ${state.iteration}${of} failed${where}`);
        return;
      }
      default:
        return;
    }
  }
}

function describeItem(item: ItemRecord): string {
  const input = Object.values(item.inputs).map((f) => path.basename(f)).join(', ') || '(no input file)';
  const outputs = Object.values(item.outputs);
  const t = item.timings;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return (
    `${input}${outputs.length ? ` -> ${outputs.join(', ')}` : ''} ` +
    `(preprocessing ${s(t.preprocessing)}, inference ${s(t.inference)}, postprocessing ${s(t.postprocessing)})`
  );
}
