/**
 * The properties of an inference workflow, as data (MONAI's `InferProperties`, monai/bundle/properties.py).
 * A required property is an id the config must define (any one of `ids`); an optional one may be absent,
 * but when present and the component that uses it (`refId`) is configured too, that component should take
 * it by reference, or the override a user makes to the property will not reach the workflow.
 *
 * Differences from MONAI: `device` and `dataset_dir` are not required (we run on the CPU and take inputs from
 * the config); `network_def` may be given as `network` and `dataset` as `dataloader`.
 */
import { BundleError, BundleErrorList } from '../errors/index.js';
import type { Logger } from '../registry/ComponentEntry.js';

export interface WorkflowProperty {
  name: string;
  description: string;
  required: boolean;
  /** the ids that satisfy the property, in order of preference */
  ids: string[];
  /** the argument that should refer to it, `evaluator::postprocessing` */
  refId?: string;
}

export const INFER_PROPERTIES: readonly WorkflowProperty[] = [
  { name: 'bundle_root', description: 'root path of the bundle', required: true, ids: ['bundle_root'] },
  { name: 'network_def', description: 'the network of the inference', required: true, ids: ['network_def', 'network'] },
  { name: 'inferer', description: 'the inferer that runs the network over an input', required: true, ids: ['inferer'] },
  { name: 'dataset', description: 'the data of the inference (dataset or data loader)', required: true, ids: ['dataset', 'dataloader'] },
  { name: 'evaluator', description: 'the inference engine', required: true, ids: ['evaluator'] },
  { name: 'preprocessing', description: 'preprocessing of the input data', required: false, ids: ['preprocessing'], refId: 'dataset::transform' },
  { name: 'postprocessing', description: 'postprocessing of the network output', required: false, ids: ['postprocessing'], refId: 'evaluator::postprocessing' },
  { name: 'handlers', description: 'event handlers of the evaluator', required: false, ids: ['handlers'], refId: 'evaluator::val_handlers' },
];

/** What the property check needs from a loaded config. */
export interface PropertySource {
  has(id: string): boolean;
  raw(id: string): unknown;
}

/**
 * Throws one BundleErrorList with a `missing_property` error per missing required property (all of them);
 * warns about optional properties that the component using them does not reference.
 */
export function checkProperties(config: PropertySource, logger?: Logger, table: readonly WorkflowProperty[] = INFER_PROPERTIES): void {
  const missing = missingProperties(config, logger, table);
  if (missing.length > 0) throw propertyErrorList(missing);
}

export function propertyErrorList(errors: BundleError[]): BundleErrorList {
  const n = errors.length;
  return new BundleErrorList(errors, `${n} required workflow item${n === 1 ? ' is' : 's are'} missing`);
}

/** One `missing_property` error per missing required property; warnings for unreferenced optional ones. */
export function missingProperties(config: PropertySource, logger?: Logger, table: readonly WorkflowProperty[] = INFER_PROPERTIES): BundleError[] {
  const missing: BundleError[] = [];
  for (const property of table) {
    const present = property.ids.find((id) => config.has(id));
    if (property.required && present === undefined) {
      const alternatives = property.ids.length > 1 ? ` (or "${property.ids.slice(1).join('", "')}")` : '';
      missing.push(
        new BundleError('missing_property', `The inference workflow needs "${property.ids[0]}"${alternatives}: ${property.description}.`, {
          location: { id: property.ids[0]! },
        }),
      );
    }
    if (!property.required && present !== undefined && property.refId && config.has(property.refId)) {
      const ref = config.raw(property.refId);
      const expected = `@${present}`;
      const refers = typeof ref === 'string' && new RegExp(`${expected}(?![\\p{L}\\p{N}_:#])`, 'u').test(ref);
      if (!refers) {
        logger?.warn(
          `"${property.refId}" does not refer to "${expected}", so overriding "${present}" will not change what the workflow uses`,
        );
      }
    }
  }
  return missing;
}
