/**
 * The catalogue of error kinds, as data. A kind is stable (tests and tools read it); messages may change.
 * `exitCode` follows the CLI contract: 1 bundle/runtime error, 2 usage error, 3 internal error.
 */
export type Layer = 'config' | 'registry' | 'image' | 'transforms' | 'inference' | 'engine' | 'queue' | 'serve' | 'cli';

export interface KindInfo {
  layer: Layer;
  exitCode: 1 | 2 | 3;
  hint: string;
}

export const KINDS = {
  // config: load, merge, ids, references, expressions, macros, resolution
  circular_reference: { layer: 'config', exitCode: 1, hint: 'break the cycle: one of these items must not depend on the others' },
  missing_reference: { layer: 'config', exitCode: 1, hint: 'check the id for typos; ids are joined with "::" and list elements are numbered from 0' },
  id_not_found: { layer: 'config', exitCode: 1, hint: 'run `bundle resolve "" --config_file ...` to see the ids that exist' },
  expression_error: { layer: 'config', exitCode: 1, hint: 'expressions are JSONata; check the referenced values and the operators used' },
  expression_limit: { layer: 'config', exitCode: 1, hint: 'an expression passed a bound on time, depth or size; the message names the bound and the flag that raises it' },
  expression_syntax: { layer: 'config', exitCode: 1, hint: 'expressions are JSONata (https://docs.jsonata.org); a literal string starting with "$" is written "$\'$...\'"' },
  python_expression: { layer: 'config', exitCode: 1, hint: 'expressions are JSONata, not Python; see the MONAI-to-JSONata table in the README' },
  unknown_target: { layer: 'registry', exitCode: 1, hint: 'run `bundle schema` or see the README for the registered component names' },
  invalid_arguments: { layer: 'registry', exitCode: 1, hint: "fix the component's arguments to match its schema (see schemas/bundle-config.schema.json)" },
  merge_type_mismatch: { layer: 'config', exitCode: 1, hint: '"+key" merges a dict into a dict or a list onto a list; use a plain key to replace the value' },
  not_a_container: { layer: 'config', exitCode: 1, hint: 'the id runs through a value that is neither a dict nor a list' },
  relative_out_of_range: { layer: 'config', exitCode: 1, hint: 'each extra "::" in a relative reference goes one level up; there are not that many levels' },
  macro_error: { layer: 'config', exitCode: 1, hint: 'a "%" string copies a raw value: "%id" or "%file.json::id"; a literal string starting with "%" is written "$\'%...\'"' },
  unknown_file_type: { layer: 'config', exitCode: 2, hint: 'config files must be .json, .yaml or .yml' },
  duplicate_key: { layer: 'config', exitCode: 1, hint: 'remove one of the two entries; JSON keys must be unique within an object' },
  config_file_unreadable: { layer: 'config', exitCode: 2, hint: 'config files are read only from regular files of at most 16 MB, never from FIFOs, devices, /proc, /sys or /dev' },
  config_file_not_found: { layer: 'config', exitCode: 2, hint: 'check the path; relative paths are resolved against the current directory' },
  invalid_mode: { layer: 'config', exitCode: 1, hint: '_mode_ is one of "default", "callable", "debug"' },
  invalid_key: { layer: 'config', exitCode: 1, hint: 'dict keys below the top level cannot contain "::" or "#"; nest the dicts instead' },
  parse_error: { layer: 'config', exitCode: 1, hint: 'fix the syntax at the position given' },
  invalid_override: { layer: 'config', exitCode: 2, hint: 'overrides are written --<id> <value>; see `bundle run --help` for the value grammar' },
  // image
  invalid_image: { layer: 'image', exitCode: 1, hint: 'check that the file is a complete, uncorrupted NIfTI-1/2 image (.nii or .nii.gz)' },
  unsupported_image: { layer: 'image', exitCode: 1, hint: 'convert the image to a supported datatype (integer or float32/float64 scalar) first' },
  image_not_found: { layer: 'image', exitCode: 1, hint: 'check the path; relative paths are resolved against the current directory' },
  write_failed: { layer: 'image', exitCode: 1, hint: 'check that the output folder is writable and has free space' },
  image_too_large: { layer: 'image', exitCode: 1, hint: 'the image (or a grid made from it) exceeds the voxel budget; raise it with --max_voxels if the size is right' },
  write_refused: { layer: 'engine', exitCode: 1, hint: 'outputs never replace an input or config file and stay under the output folder; see "Where outputs go" in the README' },
  // transforms
  missing_key: { layer: 'transforms', exitCode: 1, hint: 'the data item lacks this key; set allow_missing_keys or check the input_dict' },
  invalid_data: { layer: 'transforms', exitCode: 1, hint: 'check the input data and the transform arguments' },
  not_invertible: { layer: 'transforms', exitCode: 1, hint: 'Invertd needs the original item that went through the same transforms (orig_keys)' },
  // inference
  model_not_found: { layer: 'inference', exitCode: 1, hint: 'check the model path; it is relative to the bundle root' },
  model_error: { layer: 'inference', exitCode: 1, hint: 'check that the ONNX file is valid and matches the inputs configured for it' },
  unsupported_layer: { layer: 'inference', exitCode: 1, hint: 'the TF.js converter handles InputLayer, Conv3D, Activation/ReLU/ELU (relu, elu, gelu, sigmoid, tanh, softmax, linear), InstanceNormalization, BatchNormalization, Dropout, Add and Concatenate' },
  shape_mismatch: { layer: 'inference', exitCode: 1, hint: "check the network's declared input/output shapes and the data fed to it" },
  // engine / workflow
  missing_property: { layer: 'engine', exitCode: 1, hint: 'an inference bundle must define these ids; see the README section on workflows' },
  invalid_prompt: { layer: 'engine', exitCode: 1, hint: 'see the bundle docs for the prompt format' },
  invalid_metadata: { layer: 'engine', exitCode: 1, hint: 'fix metadata.json so that it validates against the schema it names' },
  unknown_input_key: { layer: 'engine', exitCode: 1, hint: 'use the keys the bundle declares in its metadata ("input_dict_keys")' },
  empty_input: { layer: 'engine', exitCode: 1, hint: 'give the run at least one input' },
  workflow_only: { layer: 'engine', exitCode: 1, hint: 'workflow sections run only in `bundle run`; `bundle resolve ""` and `bundle explain` show them unresolved' },
  outside_root: { layer: 'engine', exitCode: 1, hint: 'a bundle reads only inside its own folder and the folders named on the command line; pass --allow_outside_root to allow other places' },
  runtime_error: { layer: 'engine', exitCode: 1, hint: 'see the message; rerun with --debug for the cause chain' },
  // convert
  conversion_incomplete: { layer: 'cli', exitCode: 1, hint: 'see CONVERSION.md in the output folder: each item has what to write instead; --allow-partial accepts the result as it is' },
  // queue (bundle queue / bundle worker)
  queue_unreachable: { layer: 'queue', exitCode: 1, hint: 'start Redis or fix --redis (redis://[user:password@]host:port[/db], rediss:// for TLS)' },
  job_rejected: { layer: 'queue', exitCode: 1, hint: 'a job carries data only: input paths and plain override values, never _target_, "$" expressions, "@" references or "%" macros' },
  config_mismatch: { layer: 'queue', exitCode: 1, hint: "the worker's --config_file (and meta file) must be the bundle the job was submitted with: same files, same content" },
  // serve (HTTP status codes for every kind: src/serve/httpErrors.ts)
  invalid_request: { layer: 'serve', exitCode: 1, hint: 'see the API description at /openapi.json (docs/serve.md)' },
  unauthorized: { layer: 'serve', exitCode: 1, hint: 'send the server\'s token as "Authorization: Bearer <token>"' },
  not_found: { layer: 'serve', exitCode: 1, hint: 'upload the image again: ids expire after the server\'s idle time and at restart' },
  path_not_allowed: { layer: 'serve', exitCode: 1, hint: 'name a file inside --data_dir by its relative path, without ".." or a leading "/"' },
  payload_too_large: { layer: 'serve', exitCode: 1, hint: 'upload a smaller file, or restart the server with a larger --max_upload_mb' },
  unsupported_media_type: { layer: 'serve', exitCode: 1, hint: 'upload a NIfTI file (.nii or .nii.gz) as application/octet-stream' },
  server_busy: { layer: 'serve', exitCode: 1, hint: 'too many requests are waiting; try again when the running ones have finished' },
  // cli
  usage: { layer: 'cli', exitCode: 2, hint: 'see `bundle <command> --help`' },
  internal: { layer: 'cli', exitCode: 3, hint: 'this is a bug in the interpreter; please report it with the command line and --debug output' },
} as const satisfies Record<string, KindInfo>;

export type ErrorKind = keyof typeof KINDS;

export function kindInfo(kind: ErrorKind): KindInfo {
  return KINDS[kind];
}
