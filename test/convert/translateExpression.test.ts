/**
 * The Python -> JSONata table: each MONAI expression is translated, the JSONata is compared with the
 * expected text, and then evaluated by our own expression engine on the same raw values, where the
 * result must be what Python gives.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtinFunctions } from '../../src/config/builtinFunctions.js';
import { ExpressionEngine, DEFAULT_BOUNDS } from '../../src/config/expressions.js';
import { lookup, parseRelative } from '../../src/config/ids.js';
import { referenceContext } from '../../src/convert/referenceTypes.js';
import { translateExpression } from '../../src/convert/translateExpression.js';
import { engineFunctions } from '../../src/engine/functions.js';
import { declareRunnable } from '../../src/registry/runnable.js';

const dir = mkdtempSync(path.join(tmpdir(), 'convert-expr-'));
mkdirSync(path.join(dir, 'imagesTs'));
for (const f of ['b.nii.gz', 'a.nii.gz', 'notes.txt']) writeFileSync(path.join(dir, 'imagesTs', f), '');

const raw: Record<string, unknown> = {
  bundle_root: '/bundle',
  dataset_dir: dir,
  datalist: ['x1.nii.gz', 'x2.nii.gz', 'x3.nii.gz'],
  one: ['only.nii.gz'],
  images: ['i1', 'i2'],
  labels: ['l1', 'l2'],
  pairs: [[1, 2]],
  spatial_size: [96, 96, 64],
  n: 7,
  k: 2,
  flag: true,
  off: false,
  nothing: null,
  modelname: 'model.pt',
  name: 'spleen_10.nii.gz',
  displayable_configs: { highres: true },
  inferer: { _target_: 'SlidingWindowInferer', sw_batch_size: 4 },
  evaluator: { _target_: 'SupervisedEvaluator' },
  checkpointloader: { _target_: 'CheckpointLoader' },
  derived: "$@bundle_root + '/x'",
  a: [1, 2],
  b: [3],
};
const meta = { network_data_format: { outputs: { pred: { num_channels: 2 } } } };
const context = referenceContext([raw], meta);

/** [python, expected JSONata (or a plain value), expected value of the evaluation] */
const TABLE: Array<[string, string, unknown]> = [
  ["@bundle_root + '/eval'", "$@bundle_root & '/eval'", '/bundle/eval'],
  ["@bundle_root + '/models/' + @modelname", "$@bundle_root & '/models/' & @modelname", '/bundle/models/model.pt'],
  ["@derived + '/y'", "$@derived & '/y'", '/bundle/x/y'],
  ["os.path.join(@bundle_root, 'eval')", "$$path_join(@bundle_root, 'eval')", '/bundle/eval'],
  ['@a + @b', '$$append(@a, @b)', [1, 2, 3]],
  ['list(range(33, 36)) + [114]', '$$append([33..35], [114])', [33, 34, 35, 114]],
  ['@n + @k', '$@n + @k', 9],
  ["'model.pt' if @flag else 'model_lowres.pt'", "$@flag ? 'model.pt' : 'model_lowres.pt'", 'model.pt'],
  ['[1.5, 1.5, 1.5] if @displayable_configs#highres else [3.0, 3.0, 3.0]', '$@displayable_configs::highres ? [1.5, 1.5, 1.5] : [3, 3, 3]', [1.5, 1.5, 1.5]],
  ['None if @nothing is None else @n', '$(@nothing = null) ? null : @n', null],
  ['not @off', '$$not(@off)', true],
  ['@flag and not @off', '$@flag and $not(@off)', true],
  ['len(@spatial_size)', '$$count(@spatial_size)', 3],
  ['len(@name)', '$$length(@name)', 16],
  ['len(@datalist) // @k', '$$floor($count(@datalist) / @k)', 1],
  ['-@n // @k', '$$floor((-@n) / @k)', -4],
  ['@n % @k', '$@n % @k', 1],
  ['list(range(@k))', '$[0..(@k - 1)]', [0, 1]],
  ['list(range(0))', '$[0..-1]', []],
  ['@datalist[:1]', '$( $__s := @datalist; $__n := $count($__s); [$filter($__s, function($__v, $__i){ $__i >= 0 and $__i < 1 })] )', ['x1.nii.gz']],
  ['@datalist[-2:]', '$( $__s := @datalist; $__n := $count($__s); [$filter($__s, function($__v, $__i){ $__i >= $__n - 2 and $__i < $__n })] )', ['x2.nii.gz', 'x3.nii.gz']],
  ['@pairs[:1]', '$( $__s := @pairs; $__n := $count($__s); $append([], $filter($__s, function($__v, $__i){ $__i >= 0 and $__i < 1 })[]) )', [[1, 2]]],
  ['@name[:-7]', '$( $__s := @name; $__n := $length($__s); $substring($__s, 0, $__n - 7) )', 'spleen_10'],
  ['@datalist[-1]', '$@datalist[-1]', 'x3.nii.gz'],
  ['@pairs[0]', '$@pairs[0]', [1, 2]],
  ["@displayable_configs['highres']", '$@displayable_configs.highres', true],
  ["@_meta_['network_data_format']['outputs']['pred']['num_channels']", '$@_meta_.network_data_format.outputs.pred.num_channels', 2],
  ["[{'image': i} for i in @datalist]", "$[$map(@datalist, function($i){ {'image': $i} })]", [{ image: 'x1.nii.gz' }, { image: 'x2.nii.gz' }, { image: 'x3.nii.gz' }]],
  ["[{'image': i} for i in @one]", "$[$map(@one, function($i){ {'image': $i} })]", [{ image: 'only.nii.gz' }]],
  ["[{'image': i, 'label': l} for i, l in zip(@images, @labels)]", "$[$map($zip(@images, @labels), function($__item){ ( $i := $__item[0]; $l := $__item[1]; {'image': $i, 'label': $l} ) })]", [{ image: 'i1', label: 'l1' }, { image: 'i2', label: 'l2' }]],
  ['[[i, i] for i in @one]', '$$append([], $map(@one, function($i){ [$i, $i] })[])', [['only.nii.gz', 'only.nii.gz']]],
  ['[i for i in @datalist if i != @datalist[0]]', '$[$map($filter(@datalist, function($i){ $i != @datalist[0] }), function($i){ $i })]', ['x2.nii.gz', 'x3.nii.gz']],
  ['list(set([i + 1 for i in range(6)]) - set([2, 4]))', '$[$filter($distinct([$map([0..5], function($i){ $i + 1 })]), function($__v){ $not($__v in $distinct([2, 4])) })]', [1, 3, 5, 6]],
  ["list(sorted(glob.glob(@dataset_dir + '/imagesTs/*.nii.gz')))", "$$glob(@dataset_dir & '/imagesTs', '*.nii.gz')", [path.join(dir, 'imagesTs', 'a.nii.gz'), path.join(dir, 'imagesTs', 'b.nii.gz')]],
  ["sorted(glob.glob(os.path.join(@dataset_dir, 'imagesTs', '*.gz')))", "$$glob(@dataset_dir, $path_join('imagesTs', '*.gz'))", [path.join(dir, 'imagesTs', 'a.nii.gz'), path.join(dir, 'imagesTs', 'b.nii.gz')]],
  ['[1, @inferer#sw_batch_size, @inferer#sw_batch_size]', '$[1, @inferer::sw_batch_size, @inferer::sw_batch_size]', [1, 4, 4]],
  ['[@a, 5]', '$[[@a], 5]', [[1, 2], 5]],
  ['[1,] * @k', '$[$map([1..@k], function(){ 1 })]', [1, 1]],
  ['1 < @n < 10', '$(1 < @n) and @n < 10', true],
  ["f'{@bundle_root}/fold{@k}'", "$@bundle_root & '/fold' & $string(@k)", '/bundle/fold2'],
  ['max(@n, @k)', '$$max([@n, @k])', 7],
  ['int(@n / @k)', '$(@n / @k) < 0 ? $ceil(@n / @k) : $floor(@n / @k)', 3],
  ["'-'.join(@images)", "$$join(@images, '-')", 'i1-i2'],
  ['@evaluator.run()', '$$run(@evaluator)', 'ran'],
];

/** [python, the plain value or reference the converted config holds] */
const VALUES: Array<[string, unknown]> = [
  ['numpy.float32', 'float32'],
  ['torch.float32', 'float32'],
  ['np.uint8', 'uint8'],
  ['torch.int16', 'int16'],
  ['None', null],
  ['monai.utils.CommonKeys.IMAGE', 'image'],
  ['[1, 2]', [1, 2]],
];

function evaluateWithEngine(jsonata: string): Promise<unknown> {
  const engine = new ExpressionEngine(DEFAULT_BOUNDS, { ...builtinFunctions, ...engineFunctions() });
  const prepared = engine.prepare(jsonata.slice(1));
  const values = prepared.refs.map((r) => {
    if (r.relative.path[0] === '_meta_') return lookup(meta, r.relative.path.slice(1)).value;
    const found = lookup(raw, parseRelative(r.text.slice(1)).path).value;
    if (r.text === '@evaluator') {
      // a stand-in for a registry-built evaluator: $run calls only what the registry declared runnable
      const evaluator = { run: () => 'ran' };
      declareRunnable(evaluator, 'SupervisedEvaluator');
      return evaluator;
    }
    if (r.text === '@derived') return '/bundle/x';
    return found;
  });
  return engine.evaluate(prepared, values);
}

describe('convert: Python expressions -> JSONata', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [python, jsonata, value] of TABLE) {
    it(`${python}  ->  ${jsonata}`, async () => {
      const t = translateExpression(python, context);
      expect(t, JSON.stringify(t)).to.include({ kind: 'expression', text: jsonata });
      expect(await evaluateWithEngine(jsonata)).to.deep.equal(value);
    });
  }

  for (const [python, value] of VALUES) {
    it(`${python} is the plain value ${JSON.stringify(value)}`, () => {
      expect(translateExpression(python, context)).to.deep.include({ kind: 'value', value });
    });
  }

  it('calls MONAI\'s load_decathlon_datalist through the host function, keywords as one options object', () => {
    expect(translateExpression("monai.data.load_decathlon_datalist(@data_list_file_path, data_list_key='testing', base_dir=@dataset_dir)", context))
      .to.include({ kind: 'expression', text: "$$load_decathlon_datalist(@data_list_file_path, {'data_list_key': 'testing', 'base_dir': @dataset_dir})" });
    expect(translateExpression('monai.data.load_decathlon_datalist(@f, True)', context)).to.include({ kind: 'expression', text: "$$load_decathlon_datalist(@f, {'is_segmentation': true})" });
  });

  it('turns device plumbing into the component itself', () => {
    expect(translateExpression('@network_def.to(@device)', context)).to.deep.equal({ kind: 'reference', text: '@network_def' });
    expect(translateExpression("torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')", context)).to.include({ kind: 'value', value: 'cpu' });
  });

  it('drops imports, seeds, cudnn flags and checkpoint loading, each with a note', () => {
    for (const python of ['import glob', 'from monai.networks import trt_compile', 'monai.utils.set_determinism(seed=123)',
      "setattr(torch.backends.cudnn, 'benchmark', True)", '@checkpointloader(@evaluator) if @load_pretrain else None',
      'Path(@output_dir).mkdir(exist_ok=True)', 'sys.path.append(@bundle_root)']) {
      const t = translateExpression(python, context);
      expect(t.kind, python).to.equal('drop');
      expect((t as { note: string }).note).to.be.a('string').and.not.equal('');
    }
  });

  it('refuses what has no faithful JSONata, saying why and what to write instead', () => {
    const cases: Array<[string, RegExp]> = [
      ['lambda x: x + 1', /lambda/],
      ['@unknown_a + @unknown_b', /cannot tell whether "\+" joins strings, joins lists or adds numbers/],
      ["torch.jit.load(@bundle_root + '/models/model.ts')", /PyTorch model/],
      ["pd.read_csv(@dataset_dir + 'test.csv').t2", /not reachable/],
      ['[@unknown_a]', /splice/],
      ["datetime.now().strftime('%Y')", /not available|library code/],
      ['@datalist[::2]', /step/],
      ['@a +', /parser/],
    ];
    for (const [python, why] of cases) {
      const t = translateExpression(python, context);
      expect(t.kind, python).to.equal('untranslatable');
      expect((t as { why: string }).why, python).to.match(why);
      expect((t as { instead: string }).instead, python).to.be.a('string').and.not.equal('');
    }
  });
});
