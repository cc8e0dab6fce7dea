/**
 * `bundle convert`: a MONAI model-zoo bundle folder -> a bundle this interpreter runs. Copies everything
 * but PyTorch weights, rewrites the inference configs (rewriteConfig.ts), writes CONVERSION.md, and gives
 * the command that exports the network to ONNX. The output folder is assembled beside its final place and
 * renamed into it, so a failure leaves nothing half-written.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { BundleError } from '../errors/index.js';
import { tempPathBeside } from '../util/atomicWrite.js';
import { referenceContext } from './referenceTypes.js';
import { renderReport } from './report.js';
import { rewriteConfig, type NetworkSpec, type Note, type Problem } from './rewriteConfig.js';

export interface ConvertOptions {
  /** whether a `_target_` name is a registered component */
  knownTarget: (name: string) => boolean;
  /** config file names to convert; default: the inference configs (inference*.json|yaml) but TensorRT ones */
  configs?: string[];
}

export interface ConvertSummary {
  outDir: string;
  converted: string[];
  /** config files copied unchanged, with why */
  copiedUnchanged: Array<{ file: string; why: string }>;
  skippedWeights: string[];
  problems: Problem[];
  notes: Note[];
  network: NetworkSpec;
  reportFile: string;
  /** the export command, as argv (program first) */
  exportArgv: string[];
}

const WEIGHTS = /\.(pt|pth|ts|engine|ckpt)$/;
const CONFIG = /\.(json|ya?ml)$/;
const NOT_INFERENCE: Array<[RegExp, string]> = [
  [/train/i, 'a training config: this interpreter runs inference only'],
  [/evaluate|validate/i, 'an evaluation config (it layers onto the training config and computes metrics against labels): this interpreter runs inference only'],
  [/multi_gpu/i, 'a multi-GPU config: onnxruntime places networks itself'],
  [/trt/i, 'a TensorRT config: use OnnxNetwork\'s execution_providers: ["tensorrt", "cpu"] on the converted inference config instead'],
  [/^(?!inference)/, 'not an inference config (a datalist, a test or another workflow); convert it with --configs if it is one'],
];

/** tools/monai/export_network.py of this package (beside dist/ and src/). */
export function exportScriptPath(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'tools', 'monai', 'export_network.py');
}

function readRaw(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new BundleError('parse_error', `Could not parse ${file}: ${(e as Error).message}`, { location: { file }, cause: e });
  }
}

function networkSpec(meta: unknown): NetworkSpec {
  const format = (meta as { network_data_format?: { inputs?: object; outputs?: object } } | null)?.network_data_format;
  return {
    path: 'models/model.onnx',
    inputNames: Object.keys(format?.inputs ?? {}).slice(0, 1),
    outputNames: Object.keys(format?.outputs ?? {}).slice(0, 1),
  };
}

function filesUnder(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const child = path.join(rel, e.name);
    if (e.isDirectory()) return e.name === '__pycache__' || e.name === '.git' ? [] : filesUnder(dir, child);
    return e.isFile() ? [child] : [];
  });
}

export function convertMonaiBundle(srcDir: string, outDir: string, options: ConvertOptions): ConvertSummary {
  const src = path.resolve(srcDir);
  const out = path.resolve(outDir);
  if (!existsSync(path.join(src, 'configs')) || !statSync(path.join(src, 'configs')).isDirectory()) {
    throw new BundleError('config_file_not_found', `${srcDir} is not a MONAI bundle folder: it has no configs/ folder.`, {
      hint: 'pass the bundle folder itself, the one holding configs/, models/ and docs/',
      location: { file: src },
    });
  }
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new BundleError('usage', `The output folder ${outDir} exists and is not empty.`, { hint: 'choose a new folder, or remove this one first' });
  }
  const metaFile = path.join(src, 'configs', 'metadata.json');
  const meta = existsSync(metaFile) ? readRaw(metaFile) : {};
  const network = networkSpec(meta);
  const configFiles = filesUnder(src).filter((f) => f.startsWith(`configs${path.sep}`) && CONFIG.test(f) && path.basename(f) !== 'metadata.json');
  const wanted = (f: string): { convert: boolean; why?: string } => {
    const name = path.basename(f);
    if (options.configs) return options.configs.includes(name) ? { convert: true } : { convert: false, why: 'not among --configs' };
    const hit = NOT_INFERENCE.find(([re]) => re.test(name));
    return hit ? { convert: false, why: hit[1] } : { convert: true };
  };
  if (options.configs) {
    const missing = options.configs.filter((c) => !configFiles.some((f) => path.basename(f) === c));
    if (missing.length > 0) {
      throw new BundleError('config_file_not_found', `--configs names ${missing.join(', ')}, which ${src}/configs does not hold.`, {
        hint: `the config files there: ${configFiles.map((f) => path.basename(f)).join(', ')}`,
      });
    }
  }
  const raws = new Map(configFiles.map((f) => [f, readRaw(path.join(src, f))]));

  const tmp = tempPathBeside(out);
  const summary: ConvertSummary = {
    outDir: out, converted: [], copiedUnchanged: [], skippedWeights: [], problems: [], notes: [], network,
    reportFile: path.join(out, 'CONVERSION.md'),
    exportArgv: ['python3', exportScriptPath(), src, '--weights', path.join(src, 'models', 'model.pt'), '--out', path.join(out, 'models', 'model.onnx')],
  };
  try {
    for (const file of filesUnder(src)) {
      const target = path.join(tmp, file);
      mkdirSync(path.dirname(target), { recursive: true });
      if (WEIGHTS.test(file) && file.startsWith(`models${path.sep}`)) {
        summary.skippedWeights.push(file);
        continue;
      }
      const decision = configFiles.includes(file) ? wanted(file) : undefined;
      if (!decision?.convert) {
        copyFileSync(path.join(src, file), target);
        if (decision?.why) summary.copiedUnchanged.push({ file, why: decision.why });
        continue;
      }
      // the file being converted is looked up first, then the other configs (inference ones before the rest)
      const others = [...raws.entries()].filter(([f]) => f !== file).sort(([a], [b]) => Number(!/inference/.test(a)) - Number(!/inference/.test(b)));
      const context = referenceContext([raws.get(file), ...others.map(([, raw]) => raw)], meta);
      const result = rewriteConfig(readFileSync(path.join(src, file), 'utf8'), file.endsWith('.json') ? 'json' : 'yaml', {
        file: file.split(path.sep).join('/'), context, network, knownTarget: options.knownTarget,
      });
      writeFileSync(target, result.text);
      summary.converted.push(file);
      summary.problems.push(...result.problems);
      summary.notes.push(...result.notes);
    }
    mkdirSync(path.join(tmp, 'models'), { recursive: true });
    writeFileSync(path.join(tmp, 'CONVERSION.md'), renderReport(srcDir, summary));
    if (existsSync(out)) rmSync(out, { recursive: true });
    mkdirSync(path.dirname(out), { recursive: true });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof BundleError) throw e;
    throw new BundleError('write_failed', `Could not write the converted bundle to ${outDir}: ${(e as Error).message}`, { cause: e, location: { file: out } });
  }
  return summary;
}
