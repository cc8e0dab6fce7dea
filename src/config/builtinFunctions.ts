/**
 * The expression functions the config layer registers: pure string helpers for paths. This is the
 * complete list (also in the README); higher layers add theirs through LoadConfigOptions.functions.
 *   $path_join(a, b, ...)   joins path parts ("/data" , "x.nii" -> "/data/x.nii")
 *   $dirname(p)             the folder part of a path
 *   $basename(p[, ext])     the last part of a path, without `ext` when it ends with it
 *   $extname(p)             the extension, including the dot (".gz" for "x.nii.gz")
 */
import path from 'node:path';
import type { ExpressionFunction } from './expressions.js';

export const builtinFunctions: Record<string, ExpressionFunction> = {
  path_join: { implementation: (...parts: string[]) => path.join(...parts), signature: '<s+:s>' },
  dirname: { implementation: (p: string) => path.dirname(p), signature: '<s:s>' },
  basename: { implementation: (p: string, ext?: string) => path.basename(p, ext), signature: '<ss?:s>' },
  extname: { implementation: (p: string) => path.extname(p), signature: '<s:s>' },
};
