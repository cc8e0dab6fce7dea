/** Where a bundle's root and default metadata file are, given its config files. */
import path from 'node:path';

/** The folder above `configs/`, else the config file's own folder. */
export function bundleRootOf(configFile: string): string {
  const dir = path.dirname(path.resolve(configFile));
  return path.basename(dir) === 'configs' ? path.dirname(dir) : dir;
}

/** `metadata.json` beside the first config file. */
export function defaultMetaFile(configFile: string): string {
  return path.join(path.dirname(path.resolve(configFile)), 'metadata.json');
}

/** True when `target` is `root` or inside it. */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

export const CONFIG_EXTENSIONS = ['.json', '.yaml', '.yml'];

export function configFileType(file: string): 'json' | 'yaml' | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return undefined;
}
