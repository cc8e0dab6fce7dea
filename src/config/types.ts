/**
 * The interfaces the config layer needs from layers above it, declared here so that config imports
 * nothing from them: a Registry implements ComponentFactory, and any logger with these four methods fits.
 */
import type { BundleError } from '../errors/index.js';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface BuildContext {
  /** canonical id of the component being built */
  id: string;
  bundleRoot: string;
  logger: Logger;
}

/** What the resolver instantiates components through (`_target_` names). */
export interface ComponentFactory {
  has(name: string): boolean;
  /** every accepted name (names and aliases), for suggestions */
  names(): string[];
  /** validates `args` and builds; an unknown name is `unknown_target`, bad arguments `invalid_arguments` */
  create(name: string, args: Record<string, unknown>, context: BuildContext): unknown;
  /** argument problems without building (used by `check` on literal arguments) */
  validate?(name: string, args: Record<string, unknown>, id: string): BundleError[];
}

/** A factory that knows no names: every `_target_` name is unknown. */
export const emptyFactory: ComponentFactory = {
  has: () => false,
  names: () => [],
  create: () => undefined,
};
