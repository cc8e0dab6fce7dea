/**
 * One MONAI `$` string -> what the converted config holds instead: a JSONata expression, a plain value
 * (a dtype name, null), a reference (`@network_def.to(@device)` is `@network_def`), nothing (imports,
 * seeds, cudnn flags, checkpoint loading: with a note for the report), or an untranslatable entry.
 */
import type { SyntaxNode } from '@lezer/common';
import { dottedName } from './pythonCalls.js';
import { Untranslatable, type PyType } from './jsonataCode.js';
import { parsePython, type TranslateContext, type Translator } from './pythonToJsonata.js';

export type Translation =
  | { kind: 'expression'; text: string; type: PyType }
  | { kind: 'value'; value: unknown; note?: string }
  | { kind: 'reference'; text: string; note?: string }
  | { kind: 'drop'; note: string }
  | { kind: 'untranslatable'; why: string; instead: string };

export interface ConvertContext extends TranslateContext {
  /** the `_target_` of the component a reference names, if it names one */
  targetOfRef(ref: string): string | undefined;
}

const SIDE_EFFECTS: Array<[RegExp, string]> = [
  [/^setattr$/, 'sets a PyTorch flag (cudnn); onnxruntime has no such setting'],
  [/^(monai\.utils\.)?set_determinism$|^(torch|np|numpy|random)(\.random)?\.(manual_)?seed$/, 'seeds random generators; inference here uses no random numbers'],
  [/^sys\.path\.(append|insert)$/, 'extends Python\'s import path; components come from the registry'],
  [/^(warnings\.\w+|print|logging\.\w+)$/, 'a Python side effect with no counterpart'],
  [/^os\.makedirs$|\.mkdir$/, 'creates a folder; SaveImaged creates its output folder when it writes'],
];

export function translateExpression(source: string, context: ConvertContext): Translation {
  try {
    const { translator, node, statement } = parsePython(source, context);
    if (statement === 'ImportStatement' || statement === 'ImportFromStatement') {
      return { kind: 'drop', note: 'Python import: components come from the registry through "_target_"' };
    }
    if (!node) throw new Untranslatable(`"${source}" is a Python statement (${statement}), not an expression`, 'write a JSONata expression');
    const special = specialForm(translator, node, context);
    if (special) return special;
    const code = translator.expr(node);
    if (code.ref) return { kind: 'reference', text: code.ref };
    if (code.literal) return { kind: 'value', value: code.literal.value };
    return { kind: 'expression', text: `$${code.code}`, type: code.type };
  } catch (e) {
    if (e instanceof Untranslatable) return { kind: 'untranslatable', why: e.why, instead: e.instead };
    throw e;
  }
}

function calleeName(t: Translator, node: SyntaxNode): string | undefined {
  if (node.name !== 'CallExpression') return undefined;
  const callee = node.firstChild!;
  if (callee.name === 'MemberExpression' && callee.firstChild!.name === 'CallExpression') {
    // Path(x).mkdir(...): the method name is what matters
    return `${calleeName(t, callee.firstChild!) ?? '?'}.${t.text(callee.lastChild!)}`;
  }
  return dottedName(t, callee);
}

function isCheckpointLoad(t: Translator, node: SyntaxNode, context: ConvertContext): boolean {
  if (node.name === 'ConditionalExpression') {
    const [body, , orelse] = t.parts(node);
    return isCheckpointLoad(t, body!, context) && orelse!.name === 'None';
  }
  if (node.name !== 'CallExpression') return false;
  const callee = node.firstChild!;
  const m = /^__ref(\d+)$/.exec(t.text(callee));
  return !!m && context.targetOfRef(t.refs[Number(m[1])]!)?.replace(/^.*\./, '') === 'CheckpointLoader';
}

function specialForm(t: Translator, node: SyntaxNode, context: ConvertContext): Translation | undefined {
  if (isCheckpointLoad(t, node, context)) {
    return { kind: 'drop', note: 'loads PyTorch weights; the weights are in models/model.onnx' };
  }
  const name = calleeName(t, node);
  if (name === 'torch.device') {
    return { kind: 'value', value: 'cpu', note: 'torch device: onnxruntime places each network itself (OnnxNetwork execution_providers); components accept and ignore "device"' };
  }
  if (name && /^torch\.(jit\.)?load$|^trt_compile$|^torch_tensorrt\./.test(name)) {
    throw new Untranslatable(
      `"${source(t, node)}" loads or compiles a PyTorch model, which cannot run here`,
      'export the network to ONNX with tools/monai/export_network.py and use {"_target_": "OnnxNetwork", "path": "models/model.onnx"}',
    );
  }
  for (const [pattern, note] of SIDE_EFFECTS) if (name && pattern.test(name)) return { kind: 'drop', note };
  return undefined;
}

function source(t: Translator, node: SyntaxNode): string {
  return t.original(node);
}
