/**
 * Rewrites one MONAI config file (JSON or YAML) into this interpreter's language. Both formats are read
 * with the `yaml` package's Document API (JSON is YAML 1.2), so ids, key order, `_desc_` and YAML comments
 * stay where they were and every node knows its line for the report. JSON is written back as JSON.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { TARGET_KEY } from '../config/sigils.js';
import { LAMBDA_ALTERNATIVES } from '../transforms/utility/Lambdad.js';
import { channelRulesOf } from './channelRules.js';
import { labelMappingOf } from './labelMapping.js';
import { translateExpression, type ConvertContext } from './translateExpression.js';

export interface Problem {
  file: string;
  line: number;
  id: string;
  original: string;
  why: string;
  instead: string;
}

export interface Note {
  file: string;
  line: number;
  id: string;
  original: string;
  note: string;
}

export interface NetworkSpec {
  path: string;
  inputNames: string[];
  outputNames: string[];
}

export interface RewriteOptions {
  file: string;
  context: ConvertContext;
  network: NetworkSpec;
  /** whether a `_target_` name is a registered component */
  knownTarget: (name: string) => boolean;
}

export interface RewriteResult {
  text: string;
  problems: Problem[];
  notes: Note[];
}

const NETWORK_IDS = new Set(['network_def']);

/** Arguments of MONAI components that mean nothing here, dropped (with a note) whatever their value. */
const MEANINGLESS_ARGUMENTS: Record<string, Record<string, string>> = {
  StatsHandler: { output_transform: 'selects the loss MONAI\'s StatsHandler prints; this StatsHandler prints no loss (inference has none)' },
};

/** Arguments a MONAI component may set that change nothing an inference run writes, set to the value supported here (with a note). */
const UNSHUFFLED = { shuffle: { value: false, why: 'shuffle only changes the order in which inference visits the items; each item\'s output is the same, and items are visited in order here' } };
const NEUTRAL_ARGUMENTS: Record<string, Record<string, { value: unknown; why: string }>> = { DataLoader: UNSHUFFLED, ThreadDataLoader: UNSHUFFLED };

function short(target: string): string {
  return target.replace(/^.*\./, '');
}

export function rewriteConfig(text: string, format: 'json' | 'yaml', options: RewriteOptions): RewriteResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false });
  const problems: Problem[] = [];
  const notes: Note[] = [];
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 0);
  const note = (id: string, node: Node | null | undefined, original: string, text: string): void => {
    notes.push({ file: options.file, line: lineOf(node), id, original, note: text });
  };

  /** Returns 'drop' when the caller must remove the node, or a replacement node. */
  const visit = (node: Node | null, id: string[], keyNode?: Node): 'drop' | Node | undefined => {
    const idText = id.join('::');
    if (isMap(node)) {
      const target = node.get(TARGET_KEY);
      if (typeof target === 'string') {
        if (short(target) === 'CheckpointLoader') {
          note(idText, keyNode ?? node, `{"_target_": "${target}", ...}`, 'loads PyTorch weights; the weights are in the exported ONNX file');
          return 'drop';
        }
        if (id.length === 1 && NETWORK_IDS.has(id[0]!) && short(target) !== 'OnnxNetwork') {
          note(idText, keyNode ?? node, `{"_target_": "${target}", ...}`, `the PyTorch network is replaced by OnnxNetwork reading ${options.network.path} (export it with tools/monai/export_network.py)`);
          return networkNode(doc, node, options.network);
        }
        const func = node.get('func');
        if (short(target) === 'Lambdad' && typeof func === 'string') {
          const mapping = labelMappingOf(func);
          if (mapping) {
            note(idText, keyNode ?? node, func, 'a label mapping: written as MONAI\'s MapLabelValued (orig_labels -> target_labels, other values kept)');
            return declaredNode(doc, node, 'MapLabelValued', { orig_labels: mapping.origLabels, target_labels: mapping.targetLabels });
          }
          const rules = channelRulesOf(func);
          if (rules) {
            note(idText, keyNode ?? node, func, `channel rules (first x[[c]] ${rules.comparison} ${rules.threshold} that holds gives its label, else ${rules.background}): written as ChannelsToLabeld (our extension; MONAI has no such class)`);
            return declaredNode(doc, node, 'ChannelsToLabeld', { ...rules });
          }
          problems.push({
            file: options.file, line: lineOf(node.get('func', true) as Node), id: `${idText}::func`, original: func,
            why: 'Lambdad runs a Python function, and this one is neither the label-mapping form (torch.where(x == a, b, ... x)) that converts to MapLabelValued '
              + 'nor the channel-rules form (torch.where(x[[c]] > t, label, ... background)) that converts to ChannelsToLabeld',
            instead: `replace the item with named transforms: ${LAMBDA_ALTERNATIVES.join('; ')}`,
          });
          return undefined;
        }
        if (!target.startsWith('$') && !target.startsWith('@') && !options.knownTarget(target)) {
          problems.push({
            file: options.file, line: lineOf(keyNode ?? node), id: idText, original: `"_target_": "${target}"`,
            why: `no registered component is called "${short(target)}"`,
            instead: 'use a registered component (`bundle schema` lists them), or remove the item if it is not needed for inference',
          });
        }
      }
      for (const [key, why] of Object.entries(typeof target === 'string' ? MEANINGLESS_ARGUMENTS[short(target)] ?? {} : {})) {
        const value = node.get(key, true) as Node | undefined;
        if (value === undefined) continue;
        note([...id, key].join('::'), value, isScalar(value) ? String(value.value) : key, `dropped: ${key} ${why}`);
        node.delete(key);
      }
      for (const [key, { value, why }] of Object.entries(typeof target === 'string' ? NEUTRAL_ARGUMENTS[short(target)] ?? {} : {})) {
        const given = node.get(key, true) as Node | undefined;
        if (!isScalar(given) || given.value === value) continue;
        note([...id, key].join('::'), given, String(given.value), `set to ${JSON.stringify(value)}: ${why}`);
        given.value = value;
      }
      visitMap(node, id);
      return undefined;
    }
    if (isSeq(node)) {
      visitSeq(node, id);
      return undefined;
    }
    if (isScalar(node) && typeof node.value === 'string' && node.value.startsWith('$')) {
      const original = node.value;
      const t = translateExpression(original.slice(1), options.context);
      switch (t.kind) {
        case 'expression':
          node.value = t.text;
          return undefined;
        case 'reference':
          node.value = t.text;
          if (t.note) note(idText, node, original, t.note);
          return undefined;
        case 'value':
          if (t.note) note(idText, node, original, t.note);
          return doc.createNode(t.value) as Node;
        case 'drop':
          note(idText, node, original, `dropped: ${t.note}`);
          return 'drop';
        case 'untranslatable':
          problems.push({ file: options.file, line: lineOf(node), id: idText, original, why: t.why, instead: t.instead });
          return undefined;
      }
    }
    return undefined;
  };

  const visitMap = (map: YAMLMap, id: string[]): void => {
    for (const pair of [...map.items] as Array<Pair<Node, Node | null>>) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const result = visit(pair.value, [...id, key], pair.key as Node);
      if (result === 'drop') map.delete(pair.key);
      else if (result) pair.value = result;
    }
  };

  const visitSeq = (seq: YAMLSeq, id: string[]): void => {
    for (let i = 0, n = 0; i < seq.items.length; n++) {
      const result = visit(seq.items[i] as Node, [...id, String(n)]);
      if (result === 'drop') {
        seq.items.splice(i, 1);
        continue;
      }
      if (result) seq.items[i] = result;
      i++;
    }
  };

  const root = doc.contents as Node | null;
  if (isMap(root)) {
    visitMap(root, []);
    // a list left empty by dropped imports goes too; an id nothing refers to
    const imports = root.get('imports');
    if (isSeq(imports) && imports.items.length === 0) root.delete('imports');
  } else {
    visit(root, []);
  }
  const out = format === 'json' ? `${JSON.stringify(doc.toJS(), null, 4)}\n` : doc.toString();
  return { text: out, problems, notes };
}

/** A declared transform in place of a Lambdad item, keeping its keys, allow_missing_keys and _desc_. */
function declaredNode(doc: Document, original: YAMLMap, target: string, args: Record<string, unknown>): Node {
  const value: Record<string, unknown> = { _target_: target };
  for (const key of ['keys', 'allow_missing_keys', '_desc_']) if (original.has(key)) value[key] = original.toJSON()[key];
  return doc.createNode({ ...value, ...args }) as Node;
}

function networkNode(doc: Document, original: YAMLMap, network: NetworkSpec): Node {
  const value: Record<string, unknown> = { _target_: 'OnnxNetwork', path: network.path };
  if (network.inputNames.length > 0) value.input_names = network.inputNames;
  if (network.outputNames.length > 0) value.output_names = network.outputNames;
  const desc = original.get('_desc_');
  if (desc !== undefined) value._desc_ = desc;
  return doc.createNode(value) as Node;
}
