/**
 * The model-zoo `scripts.evaluator.Vista3dEvaluator` for inference (`hyper_kwargs.user_prompt` true, spec 4):
 * per item, validate the prompts (prompts.ts), fall back to the everything labels, map the clicks from the
 * original file's voxels to network space, run Vista3dInferer, and hand the sample on with `pred` (a volume on
 * the network grid carrying the image's applied operations, so that Invertd maps it back) and the validated
 * `label_prompt`, network-space `points` and `point_labels` that VistaPostTransformd reads.
 */
import { BundleError } from '../../errors/index.js';
import { SupervisedEvaluator, type EvaluatorOptions } from '../../engine/Evaluator.js';
import { evaluatorOptions, evaluatorProperties, type EvaluatorArgs } from '../../engine/entries.js';
import { sampleVolume, tensorToVolume, volumeToTensor } from '../../engine/tensors.js';
import { isVolume, spatialShape } from '../../image/Volume.js';
import type { Predictor, Tensor } from '../../inference/types.js';
import type { ComponentEntry } from '../../registry/ComponentEntry.js';
import type { Sample } from '../../transforms/Transform.js';
import { mapClicksToNetwork } from './clickMapping.js';
import { Vista3dNetwork } from './network.js';
import { checkClicksInside, EXPANSIONS_KEY, UNKNOWN_NAMES_KEY, validatePrompts, type SubclassExpansion, type UnknownName } from './prompts.js';
import { Vista3dInferer } from './Vista3dInferer.js';
import { ARGMAX_DONE } from './VistaPostTransformd.js';

export interface HyperKwargs {
  user_prompt: boolean;
  everything_labels?: readonly number[] | null;
}

export interface Vista3dEvaluatorOptions extends Omit<EvaluatorOptions, 'network' | 'inferer'> {
  network: Vista3dNetwork;
  inferer: Vista3dInferer;
  hyperKwargs: HyperKwargs;
}

/** The base class wants a single-graph network; VISTA3D's graphs are driven by `iteration` instead. */
const threeGraphs: Predictor = () => {
  throw new BundleError('internal', 'Vista3dEvaluator runs its network through Vista3dInferer only.');
};

export class Vista3dEvaluator extends SupervisedEvaluator {
  override readonly name: string = 'Vista3dEvaluator';
  readonly vista: Vista3dNetwork;
  readonly vistaInferer: Vista3dInferer;
  readonly hyperKwargs: HyperKwargs;

  constructor(options: Vista3dEvaluatorOptions) {
    super({ ...options, network: threeGraphs, inferer: options.inferer });
    this.vista = options.network;
    this.vistaInferer = options.inferer;
    this.hyperKwargs = options.hyperKwargs;
    // `iteration` below drives its own inferer: nothing of post-processing is folded into it
    this.fold = null;
    if (!this.hyperKwargs.user_prompt) {
      throw new BundleError('invalid_arguments', 'Vista3dEvaluator supports inference with user prompts only (hyper_kwargs.user_prompt true).', {
        hint: 'evaluation against ground-truth labels (user_prompt false) is not part of this port',
        location: { ...(options.id !== undefined ? { id: options.id } : {}), path: '/hyper_kwargs/user_prompt' },
      });
    }
  }

  protected override async iteration(sample: Sample): Promise<Sample> {
    const image = sampleVolume(sample, this.imageKey);
    const prompts = validatePrompts(
      {
        label_prompt: sample.label_prompt,
        points: sample.points,
        point_labels: sample.point_labels,
        expansions: sample[EXPANSIONS_KEY] as SubclassExpansion[] | undefined,
        unknownNames: sample[UNKNOWN_NAMES_KEY] as UnknownName[] | undefined,
      },
      this.hyperKwargs.everything_labels ?? null,
    );
    const networkShape = spatialShape(image);
    if (networkShape.some((s) => s === 0)) {
      throw new BundleError('invalid_data', `The preprocessed image is empty (shape [${networkShape.join(', ')}]).`, {
        hint: 'the foreground crop found no voxel above 0 HU: check that the input is a CT in Hounsfield units',
      });
    }
    let points: number[][] | null = null;
    if (prompts.points) {
      checkClicksInside(prompts.points, image.meta.originalSpatialShape, 'image');
      points = mapClicksToNetwork(prompts.points, image.meta.originalAffine, image.affine);
      checkClicksInside(points, networkShape, 'network');
    }
    const prevMask = sample.prev_mask;
    const pending: Promise<void>[] = [];
    const { output, argmaxDone, windows, encoderRuns } = await this.vistaInferer.run(
      volumeToTensor(image),
      this.vista,
      {
        classIds: prompts.labelPrompt,
        points,
        pointLabels: prompts.pointLabels,
        prevMask: isVolume(prevMask) ? (volumeToTensor(prevMask) as Tensor) : null,
      },
      { onProgress: (done, total) => void pending.push(this.fire('inference_progress', { progress: { done, total } })) },
    );
    await Promise.all(pending);
    this.logger.info(
      windows === null
        ? `VISTA3D: point windows, ${encoderRuns} encoder runs`
        : `VISTA3D: ${windows} windows, ${encoderRuns} encoder runs (${(encoderRuns / Math.max(1, windows)).toFixed(2)} per window)`,
    );
    const pred = tensorToVolume(output, image, this.predKey);
    if (argmaxDone) pred.meta[ARGMAX_DONE] = true;
    return {
      ...sample,
      [this.predKey]: pred,
      label_prompt: prompts.labelPrompt,
      points,
      point_labels: points ? prompts.pointLabels : null,
    };
  }
}

interface Vista3dEvaluatorArgs extends Omit<EvaluatorArgs, 'network' | 'inferer'> {
  network: unknown;
  inferer: unknown;
  hyper_kwargs: HyperKwargs;
}

export const vista3dEvaluatorEntry: ComponentEntry<Vista3dEvaluatorArgs, Vista3dEvaluator> = {
  name: 'Vista3dEvaluator',
  aliases: ['scripts.evaluator.Vista3dEvaluator'],
  description: 'VISTA3D inference over a data loader: prompt validation, everything mode, click mapping, Vista3dInferer',
  argsSchema: {
    type: 'object',
    properties: {
      ...evaluatorProperties,
      hyper_kwargs: {
        type: 'object',
        properties: {
          user_prompt: { type: 'boolean', description: 'true for inference with prompts from input_dict' },
          everything_labels: { type: ['array', 'null'], items: { type: 'integer' }, description: 'ids to segment when no prompt is given' },
        },
        required: ['user_prompt'],
        additionalProperties: true,
      },
    },
    required: ['val_data_loader', 'network', 'inferer', 'hyper_kwargs'],
    additionalProperties: false,
  },
  create(args, context) {
    const fail = (argument: string, what: string) =>
      new BundleError('invalid_arguments', `Vista3dEvaluator's "${argument}" must be ${what}.`, { location: { id: context.id, path: `/${argument}` } });
    if (!(args.network instanceof Vista3dNetwork)) throw fail('network', 'a Vista3dNetwork (encoder, class head and point head)');
    if (!(args.inferer instanceof Vista3dInferer)) throw fail('inferer', 'a Vista3dInferer');
    const base = evaluatorOptions({ ...args, network: threeGraphs, inferer: args.inferer }, context.id);
    return new Vista3dEvaluator({ ...base, network: args.network, inferer: args.inferer, hyperKwargs: args.hyper_kwargs, logger: context.logger });
  },
};
