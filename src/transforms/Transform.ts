/**
 * The dictionary-transform contract. A `sample` is one dict (MONAI's data dict): keys such as `image`,
 * `label_prompt`, `pred`, each holding a Volume or plain data. Transforms return a new sample object
 * (they may reuse unchanged values) and never mutate the input sample's own properties.
 *
 * Invertible transforms record an AppliedOperation on the volumes they change (Volume.appliedOperations,
 * with `transform` = their registry name) and implement `inverse`, which pops that record. Compose.inverse
 * and Invertd replay those records backwards.
 */
export type Sample = Record<string, unknown>;

export interface Transform {
  /** registry name (`Spacingd`), for error messages and applied-operation records */
  readonly name: string;
  apply(sample: Sample): Sample | Promise<Sample>;
  /**
   * true when the transform reads and writes only a request's plain keys (prompts), never a volume: a caller
   * that keeps a sample's preprocessed volumes (the server, across clicks) re-applies just these per request
   */
  readonly volumeFree?: boolean;
  /** present only on invertible transforms */
  inverse?(sample: Sample): Sample | Promise<Sample>;
}

export function isTransform(value: unknown): value is Transform {
  return typeof value === 'object' && value !== null && typeof (value as Transform).apply === 'function';
}
