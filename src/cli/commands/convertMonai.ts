/**
 * `bundle convert <monai_bundle_dir> <out_dir>`: a MONAI model-zoo bundle -> a bundle this interpreter runs
 * (src/convert). Not to be confused with `convert-tfjs`, which converts a TensorFlow.js model to ONNX.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { BundleError, BundleErrorList } from '../../errors/index.js';

interface ConvertMonaiArgs {
  bundle: string;
  out: string;
  'allow-partial'?: boolean;
  check?: boolean;
  python?: string;
  configs?: string;
}

export const convertMonaiCommand: CommandModule<object, ConvertMonaiArgs> = {
  command: 'convert <bundle> <out>',
  describe: 'Convert a MONAI model-zoo bundle folder into a bundle this interpreter runs (configs, expressions, network as ONNX)',
  builder: (yargs) =>
    yargs
      .positional('bundle', { type: 'string', demandOption: true, describe: 'the MONAI bundle folder (holding configs/, models/, docs/)' })
      .positional('out', { type: 'string', demandOption: true, describe: 'the folder to write (must not exist, or be empty)' })
      .option('allow-partial', { type: 'boolean', default: false, describe: 'exit 0 even when some items could not be translated (they are listed in CONVERSION.md)' })
      .option('check', { type: 'boolean', default: false, describe: 'then run `bundle check` on each converted inference config and `verify_net_in_out` when the network is exported' })
      .option('python', { type: 'string', describe: 'a Python with torch and MONAI: run the network export with it (otherwise the command is printed)' })
      .option('configs', { type: 'string', describe: 'comma-separated config file names to convert (default: the inference configs, inference*.json|yaml, but TensorRT ones)' })
      .example('$0 convert model-zoo/models/spleen_ct_segmentation spleen', 'then follow the printed export command, and `bundle run --config_file spleen/configs/inference.json`')
      .epilogue('Exit codes: 0 converted, 1 some items could not be translated (see CONVERSION.md) or a check failed, 2 usage error.') as never,
  handler: async (args) => {
    const [{ convertMonaiBundle }, { shellQuote }, { defaultRegistry }] = await Promise.all([
      import('../../convert/convertMonaiBundle.js'),
      import('../../convert/report.js'),
      import('../registry.js'),
    ]);
    const registry = defaultRegistry();
    const summary = convertMonaiBundle(args.bundle, args.out, {
      knownTarget: (name) => registry.has(name),
      configs: args.configs?.split(',').map((c) => c.trim()).filter((c) => c !== ''),
    });
    const say = (text: string): void => void process.stdout.write(`${text}\n`);
    say(`wrote ${args.out}: ${summary.converted.length} config${summary.converted.length === 1 ? '' : 's'} converted (${summary.converted.map((f) => path.basename(f)).join(', ')}), ` +
      `${summary.notes.length} item${summary.notes.length === 1 ? '' : 's'} dropped or replaced, ${summary.problems.length} not translated; see ${path.join(args.out, 'CONVERSION.md')}`);
    for (const p of summary.problems) say(`  not translated: ${p.file}:${p.line} ${p.id}: ${p.why}`);
    const exportArgv = args.python ? [args.python, ...summary.exportArgv.slice(1)] : summary.exportArgv;
    if (args.python) {
      say(`exporting the network: ${exportArgv.map(shellQuote).join(' ')}`);
      const run = spawnSync(exportArgv[0]!, exportArgv.slice(1), { stdio: 'inherit' });
      if (run.error || run.status !== 0) {
        throw new BundleError('runtime_error', `The network export failed (${run.error ? run.error.message : `exit code ${run.status}`}).`, {
          hint: 'see the Python output above; the converted configs are written, rerun the export command when fixed',
        });
      }
    } else {
      say('export the network to ONNX (Python with torch and MONAI):');
      say(`  ${exportArgv.map(shellQuote).join(' ')}`);
    }
    if (args.check) await checkConverted(summary.outDir, summary.converted, say);
    if (summary.problems.length > 0 && !args['allow-partial']) {
      throw new BundleError('conversion_incomplete', `${summary.problems.length} item${summary.problems.length === 1 ? '' : 's'} of ${args.bundle} could not be translated.`, {
        location: { file: path.join(args.out, 'CONVERSION.md') },
      });
    }
  },
};

/** `bundle check` on every converted inference config, then `verify_net_in_out` when the ONNX file is there. */
async function checkConverted(outDir: string, converted: string[], say: (t: string) => void): Promise<void> {
  const [{ loadFromArgv }, { defaultRegistry }] = await Promise.all([import('../configArgs.js'), import('../registry.js')]);
  const meta_file = path.join(outDir, 'configs', 'metadata.json');
  const inference = converted.filter((f) => /inference/.test(path.basename(f)));
  for (const file of inference) {
    const config = await loadFromArgv({ config_file: path.join(outDir, file), meta_file }, [], defaultRegistry());
    const problems = await config.check();
    if (problems.length > 0) throw new BundleErrorList(problems, `${problems.length} problem${problems.length === 1 ? '' : 's'} found by bundle check in ${file}`);
    say(`check ${file}: ok, ${config.ids().length} ids`);
  }
  const model = path.join(outDir, 'models', 'model.onnx');
  if (!existsSync(model)) {
    say(`verify_net_in_out: not run, ${model} is not exported yet`);
    return;
  }
  const [{ loadConfig }, { netIoSpec, verifyNetInOut }, { loadOptionsFromArgv }] = await Promise.all([
    import('../../config/index.js'),
    import('../../engine/verifyNetInOut.js'),
    import('../configArgs.js'),
  ]);
  const file = inference[0] ?? converted[0];
  if (!file) return;
  const config = await loadConfig(loadOptionsFromArgv({ config_file: path.join(outDir, file), meta_file }, [], defaultRegistry()));
  const result = await verifyNetInOut(await config.resolve('network_def'), netIoSpec(await config.resolve('_meta_')), { n: 1, p: 1, any: 1 }, 'network_def');
  say(`verify_net_in_out: input [${result.inputShape.join(', ')}] -> output [${result.outputShape.join(', ')}] ${result.outputType}, as declared`);
}
