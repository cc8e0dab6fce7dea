/**
 * Every transform-layer registry entry, as a plain list (the CLI's default registry gathers it).
 * Each helper appends its own entries here.
 */
import type { ComponentEntry } from '../registry/ComponentEntry.js';

export const transformEntries: ComponentEntry[] = [];
