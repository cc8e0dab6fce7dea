/**
 * The HTTP API as data: the request schemas the routes validate with (fastify's ajv) and the OpenAPI 3.1
 * document built from the same schemas, served at /openapi.json and committed as schemas/serve-openapi.json
 * (a test checks the copy is current and valid).
 */

const id = { type: 'string', minLength: 1, maxLength: 64 } as const;

export const schemas = {
  ErrorBody: {
    type: 'object',
    description: "the CLI's typed error: kind (stable), one-sentence message, where (argument or file), what to do",
    properties: {
      kind: { type: 'string' },
      message: { type: 'string' },
      where: { type: ['string', 'null'] },
      hint: { type: 'string' },
    },
    required: ['kind', 'message', 'where', 'hint'],
  },
  Image: {
    type: 'object',
    properties: {
      image_id: { type: 'string' },
      name: { type: 'string' },
      shape: { type: 'array', items: { type: 'integer' }, description: 'voxels per axis, in file order (i, j, k)' },
      bytes: { type: 'integer' },
    },
    required: ['image_id', 'name', 'shape', 'bytes'],
  },
  DataDirRequest: {
    type: 'object',
    additionalProperties: false,
    properties: { name: { type: 'string', minLength: 1, maxLength: 4096, description: 'a path relative to the server\'s --data_dir' } },
    required: ['name'],
  },
  InferRequest: {
    type: 'object',
    additionalProperties: false,
    description: 'prompt mode (VISTA3D-style bundles); in run mode the body is {} or absent',
    properties: {
      label_prompt: {
        type: 'array',
        minItems: 1,
        maxItems: 254,
        items: { anyOf: [{ type: 'integer' }, { type: 'string', minLength: 1, maxLength: 200 }] },
        description: 'class ids or names from the metadata\'s channel_def',
      },
      points: {
        type: 'array',
        minItems: 1,
        maxItems: 1000,
        items: { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 },
        description: 'clicks as 0-based voxel indices (i, j, k) of the image file',
      },
      point_labels: { type: 'array', maxItems: 1000, items: { type: 'integer' }, description: '1 positive, 0 negative, per point' },
      prev_result: { type: 'string', minLength: 1, maxLength: 64, description: 'a result id on the same image whose network output seeds this one (prev_mask)' },
    },
  },
  LabelCount: {
    type: 'object',
    properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] }, voxels: { type: 'integer' }, ml: { type: 'number' } },
    required: ['id', 'name', 'voxels', 'ml'],
  },
  Result: {
    type: 'object',
    properties: {
      result_id: { type: 'string' },
      image_id: { type: 'string' },
      labels: { type: ['array', 'null'], items: { $ref: '#/components/schemas/LabelCount' }, description: 'null when the output is not a label map' },
      reusable: { type: 'boolean', description: 'the result can be given as prev_result' },
      preprocessing_cached: { type: 'boolean' },
      timings: {
        type: 'object',
        description: 'milliseconds',
        properties: {
          queue: { type: 'number' },
          preprocessing: { type: 'number' },
          inference: { type: 'number' },
          postprocessing: { type: 'number' },
          total: { type: 'number' },
        },
      },
    },
    required: ['result_id', 'image_id', 'labels', 'reusable', 'preprocessing_cached', 'timings'],
  },
  Info: {
    type: 'object',
    properties: {
      bundle: { type: 'string' },
      mode: { enum: ['prompt', 'run'] },
      labels: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } } },
      max_upload_bytes: { type: 'integer' },
      data_dir: { type: 'boolean' },
      auth: { type: 'boolean' },
    },
    required: ['bundle', 'mode', 'labels', 'max_upload_bytes', 'data_dir', 'auth'],
  },
} as const;

export const imageParams = { type: 'object', properties: { image_id: id }, required: ['image_id'] } as const;
export const resultParams = { type: 'object', properties: { result_id: id }, required: ['result_id'] } as const;
export const uploadQuery = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1, maxLength: 255, description: 'the file name, ending .nii or .nii.gz' } },
  required: ['name'],
} as const;

/** For fastify: component `$ref`s inlined, so each route schema stands alone. */
export function routeSchema<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replace(/\{"\$ref":"#\/components\/schemas\/(\w+)"\}/g, (_, name: string) =>
    JSON.stringify((schemas as Record<string, unknown>)[name]),
  )) as T;
}

const json = (schema: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } });
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: ERROR_TEXT[c] ?? 'error', content: json('ErrorBody') }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'invalid request or prompt',
  401: 'missing or wrong token',
  403: 'a name leading outside --data_dir',
  404: 'no such image or result (ids expire)',
  413: 'upload over the size limit',
  415: 'not a NIfTI file',
  422: 'a NIfTI file the bundle cannot read',
  500: 'the bundle failed',
  503: 'too many requests waiting',
};
const param = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const nifti = { 'application/gzip': { schema: { type: 'string', format: 'binary' } } };
const secured = [{ bearer: [] }];

export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'bundle serve',
      version,
      description: 'Interactive segmentation with a MONAI-style bundle: upload a NIfTI image, run prompts on it, download the result. See docs/serve.md.',
    },
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'required when the server was started with --token' } },
    },
    paths: {
      '/healthz': { get: { summary: 'liveness: the bundle is loaded', responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } } } } } } } } },
      '/openapi.json': { get: { summary: 'this document', responses: { '200': { description: 'the OpenAPI document' } } } },
      '/api/info': { get: { summary: 'the bundle served, its mode and labels', security: secured, responses: { '200': { description: 'ok', content: json('Info') }, ...errors(401) } } },
      '/api/images': {
        post: {
          summary: 'upload a NIfTI image (raw body)',
          security: secured,
          parameters: [{ name: 'name', in: 'query', required: true, schema: uploadQuery.properties.name }],
          requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          responses: { '201': { description: 'stored', content: json('Image') }, ...errors(400, 401, 413, 415) },
        },
      },
      '/api/data_dir': {
        get: {
          summary: 'the NIfTI files under --data_dir (empty without it)',
          security: secured,
          responses: { '200': { description: 'relative names', content: { 'application/json': { schema: { type: 'object', properties: { files: { type: 'array', items: { type: 'string' } } } } } } }, ...errors(401) },
        },
      },
      '/api/images/from_data_dir': {
        post: {
          summary: 'use a file under the server\'s --data_dir',
          security: secured,
          requestBody: { required: true, content: json('DataDirRequest') },
          responses: { '201': { description: 'registered', content: json('Image') }, ...errors(400, 401, 403, 404, 415) },
        },
      },
      '/api/images/{image_id}': {
        get: { summary: 'the image file', security: secured, parameters: [param('image_id')], responses: { '200': { description: 'NIfTI', content: nifti }, ...errors(401, 404) } },
        delete: { summary: 'forget an image and its results', security: secured, parameters: [param('image_id')], responses: { '204': { description: 'deleted' }, ...errors(401, 404) } },
      },
      '/api/images/{image_id}/infer': {
        post: {
          summary: 'run the bundle on the image with prompts',
          security: secured,
          parameters: [param('image_id')],
          requestBody: { required: false, content: json('InferRequest') },
          responses: { '200': { description: 'the result', content: json('Result') }, ...errors(400, 401, 404, 422, 500, 503) },
        },
      },
      '/api/results/{result_id}': {
        get: { summary: 'the result as written by the bundle (.nii.gz)', security: secured, parameters: [param('result_id')], responses: { '200': { description: 'NIfTI', content: nifti }, ...errors(401, 404) } },
        delete: { summary: 'forget a result', security: secured, parameters: [param('result_id')], responses: { '204': { description: 'deleted' }, ...errors(401, 404) } },
      },
    },
  };
}
