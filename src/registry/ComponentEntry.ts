/**
 * What every layer registers: a name (and MONAI dotted aliases), a JSON Schema for the arguments,
 * and a factory. Arguments arrive resolved and validated against `argsSchema` (snake_case, as bundles
 * write them); `create` is the one place that maps them to camelCase TypeScript options.
 */
export type JsonSchema = Record<string, unknown>;

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ComponentContext {
  /** canonical id of the component being built (`a::b::0`), for error messages */
  id: string;
  /** absolute path of the bundle root (the folder above configs/) */
  bundleRoot: string;
  logger: Logger;
}

export interface ComponentEntry<Args = any, Result = unknown> {
  /** registry name as bundles write it, e.g. `LoadImaged` */
  name: string;
  /** other accepted names, e.g. `monai.transforms.LoadImaged` */
  aliases?: string[];
  /** one line, shown by `bundle schema` and in editors */
  description: string;
  /** JSON Schema (draft-07 subset that ajv supports) of the arguments object */
  argsSchema: JsonSchema;
  /** methods besides `run` that `$run(component, "method")` may call on what `create` returns */
  methods?: string[];
  create(args: Args, context: ComponentContext): Result | Promise<Result>;
}

/** A silent logger, the default for library use and tests. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
