/** The VISTA3D components, as a plain list (the CLI's default registry gathers it). */
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import { vista3dNetworkEntry } from './network.js';
import { vista3dEvaluatorEntry } from './Vista3dEvaluator.js';
import { vista3dInfererEntry } from './Vista3dInferer.js';
import { vistaPostTransformdEntry } from './VistaPostTransformd.js';
import { vistaPreTransformdEntry } from './VistaPreTransformd.js';

export const vista3dEntries: ComponentEntry[] = [
  vistaPreTransformdEntry,
  vistaPostTransformdEntry,
  vista3dNetworkEntry,
  vista3dInfererEntry,
  vista3dEvaluatorEntry as ComponentEntry,
];
