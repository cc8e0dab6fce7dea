/**
 * The bundle workflow: sections `initialize`, `run` and `finalize` (ids configurable), each one item or a
 * list of items resolved in order with the config's uncached `runItem`, so running a section twice
 * re-executes it while the components it uses stay built. A missing run section is an error; missing
 * initialize/finalize sections do nothing. Before anything runs, the inference properties are checked
 * (properties.ts) and every missing one is reported at once.
 */
import { BundleError } from '../errors/index.js';
import { type Logger, silentLogger } from '../registry/ComponentEntry.js';
import { closestNames } from '../util/closest.js';
import { INFER_PROPERTIES, missingProperties, propertyErrorList, type PropertySource, type WorkflowProperty } from './properties.js';

/** What the workflow needs from a loaded config (BundleConfig has it all). */
export interface WorkflowConfig extends PropertySource {
  runItem(id: string): Promise<unknown>;
  ids?(): string[];
}

export interface WorkflowOptions {
  initId?: string;
  runId?: string;
  finalId?: string;
  /** the property table to check; null skips the check (MONAI's workflow_type None) */
  properties?: readonly WorkflowProperty[] | null;
  logger?: Logger;
}

export class Workflow {
  readonly initId: string;
  readonly runId: string;
  readonly finalId: string;
  private readonly config: WorkflowConfig;
  private readonly properties: readonly WorkflowProperty[] | null;
  private readonly logger: Logger;

  constructor(config: WorkflowConfig, options: WorkflowOptions = {}) {
    this.config = config;
    this.initId = options.initId ?? 'initialize';
    this.runId = options.runId ?? 'run';
    this.finalId = options.finalId ?? 'finalize';
    this.properties = options.properties === undefined ? INFER_PROPERTIES : options.properties;
    this.logger = options.logger ?? silentLogger;
  }

  /** The property check and the presence of the run section, before anything is built. */
  check(): void {
    const problems = this.properties ? missingProperties(this.config, this.logger, this.properties) : [];
    if (!this.config.has(this.runId)) problems.push(this.missingRunSection());
    if (problems.length > 0) throw propertyErrorList(problems);
  }

  private missingRunSection(): BundleError {
    const topLevel = this.config.ids ? this.config.ids().filter((id) => !id.includes('::') && id !== '') : [];
    const candidates = closestNames(this.runId, topLevel);
    return new BundleError('id_not_found', `The config has no "${this.runId}" section to run.`, {
      hint: `add a "${this.runId}" item (e.g. "${this.runId}": ["$$run(@evaluator)"]) or name another with --run_id`,
      location: { id: this.runId },
      ...(candidates.length ? { candidates } : {}),
    });
  }

  initialize(): Promise<unknown[]> {
    return this.section(this.initId, false);
  }

  run(): Promise<unknown[]> {
    return this.section(this.runId, true);
  }

  finalize(): Promise<unknown[]> {
    return this.section(this.finalId, false);
  }

  /** check, initialize, run, finalize: what `bundle run` does. */
  async execute(): Promise<unknown[]> {
    this.check();
    await this.initialize();
    const results = await this.run();
    await this.finalize();
    return results;
  }

  private async section(id: string, required: boolean): Promise<unknown[]> {
    if (!this.config.has(id)) {
      if (required) throw this.missingRunSection();
      return [];
    }
    const raw = this.config.raw(id);
    const ids = Array.isArray(raw) ? raw.map((_, i) => `${id}::${i}`) : [id];
    const results: unknown[] = [];
    for (const itemId of ids) {
      this.logger.debug(`running ${itemId}`);
      results.push(await this.config.runItem(itemId));
    }
    return results;
  }
}
