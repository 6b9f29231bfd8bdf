/**
 * The OpenAPI 3.0 document of the native REST API (/api/v1), written by hand next to the
 * controllers it describes; a test checks that every /api/v1 route the app serves is in it.
 */

type Schema = Record<string, unknown>;
interface Operation {
  summary: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; description?: string; schema: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<
    string,
    {
      description: string;
      content?: Record<string, { schema: Schema }>;
      headers?: Record<string, { schema: Schema; description?: string }>;
    }
  >;
}
type PathItem = Partial<Record<'get' | 'put' | 'post' | 'patch' | 'delete', Operation>>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const runId = {
  name: 'runId',
  in: 'path' as const,
  required: true,
  description: 'MLflow run_id: 32 hexadecimal characters.',
  schema: { type: 'string', pattern: '^[0-9a-f]{32}$' },
};
const slug = { name: 'slug', in: 'path' as const, required: true, description: 'Project slug.', schema: { type: 'string' } };
const artifactPath = {
  name: 'path',
  in: 'path' as const,
  required: true,
  description: 'Artifact path relative to the run, e.g. `model/model.onnx` (slashes allowed).',
  schema: { type: 'string' },
};
const common = {
  '401': error('No or bad credentials.'),
  '403': error('The caller lacks the permission in this project.'),
  '404': error('Run or project not found.'),
};
const metricValue: Schema = { oneOf: [{ type: 'number' }, { type: 'string', enum: ['NaN', 'Infinity', '-Infinity'] }] };
const keyValues: Schema = {
  oneOf: [
    { type: 'object', additionalProperties: { type: 'string' } },
    { type: 'array', items: ref('KeyValue') },
  ],
};
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header' as const,
  description: '1-255 visible ASCII characters, e.g. a UUID per request, kept for retries of that request.',
  schema: { type: 'string' },
};
const replayedHeader = {
  'Idempotent-Replayed': {
    schema: { type: 'string' },
    description: '"true" when this is the stored first response to the same Idempotency-Key.',
  },
};
const keyReused = error('Idempotency-Key already used in the last 24 hours for a different request (`IDEMPOTENCY_KEY_REUSED`).');
const IDEMPOTENT =
  'With `Idempotency-Key` (scoped to the caller), a repeat within 24 hours returns the first response (header `Idempotent-Replayed: true`) and writes nothing; the same key with a different request is refused with 422.';

/** A model version's card export: the project, the model's name and the version number. */
const cardParameters: NonNullable<Operation['parameters']> = [
  { name: 'projectId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
  { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
  { name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
];

const paths: Record<string, PathItem> = {
  '/api/v1/auth/login': {
    post: {
      summary: 'Sign in (web app); sets the session cookie.',
      security: [],
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['username', 'password'],
          properties: { username: { type: 'string' }, password: { type: 'string' } },
        }),
      },
      responses: {
        '200': { description: 'Signed in.' },
        '401': error('Wrong username or password.'),
        '429': error('Locked for a while after repeated failures.'),
      },
    },
  },
  '/api/v1/auth/logout': {
    post: { summary: 'Sign out (ends the session).', responses: { '204': { description: 'Signed out.' }, '401': common['401'] } },
  },
  '/api/v1/auth/me': { get: { summary: 'The signed-in user.', responses: { '200': { description: 'The user.' }, '401': common['401'] } } },
  '/api/v1/openapi.json': {
    get: {
      summary: 'This document (any signed-in caller).',
      responses: { '200': { description: 'OpenAPI 3.0 document.' }, '401': common['401'] },
    },
  },
  '/api/v1/projects/{slug}/runs': {
    post: {
      summary: 'Create a run (needs run.write).',
      description: `The experiment is found by name in the project and created on first use (default "Default"). The run and its params are written in one transaction. ${IDEMPOTENT}`,
      parameters: [slug, idempotencyKey],
      requestBody: { content: json(ref('CreateRun')) },
      responses: {
        '201': { description: 'The run.', content: json({ type: 'object', properties: { run: ref('Run') } }), headers: replayedHeader },
        '400': error('Invalid field (named in the message).'),
        '409': error('The experiment is deleted.'),
        '422': keyReused,
        ...common,
      },
    },
    get: {
      summary: "Search the project's runs with MLflow's filter grammar (needs project.read).",
      parameters: [
        slug,
        {
          name: 'experiment',
          in: 'query',
          description: 'Only this experiment (by name); default: every active experiment.',
          schema: { type: 'string' },
        },
        {
          name: 'filter',
          in: 'query',
          description: "MLflow filter, e.g. `metrics.loss < 0.5 AND params.lr = '0.01'`.",
          schema: { type: 'string' },
        },
        {
          name: 'orderBy',
          in: 'query',
          description: 'MLflow order_by item, repeatable, e.g. `metrics.loss ASC`.',
          schema: { type: 'array', items: { type: 'string' } },
        },
        { name: 'maxResults', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 50000, default: 1000 } },
        { name: 'pageToken', in: 'query', description: 'nextPageToken of the previous page.', schema: { type: 'string' } },
      ],
      responses: {
        '200': {
          description: 'One page of runs.',
          content: json({
            type: 'object',
            properties: { runs: { type: 'array', items: ref('Run') }, nextPageToken: { type: 'string', nullable: true } },
          }),
        },
        '400': error('Bad filter or order_by.'),
        ...common,
      },
    },
  },
  '/api/v1/projects/{slug}/runs.csv': {
    get: {
      summary: 'Export the runs table as CSV: its filter, order and columns, or every column with all=1 (needs project.read).',
      description:
        'RFC 4180, streamed. Text cells starting with =, +, -, @ (not plain numbers) get a leading apostrophe against spreadsheet formula injection. `run_id` is always the first column.',
      parameters: [
        slug,
        {
          name: 'experimentId',
          in: 'query',
          description: 'Only this experiment (MLflow experiment_id); default: every active experiment.',
          schema: { type: 'string' },
        },
        {
          name: 'filter',
          in: 'query',
          description: "MLflow filter, e.g. `metrics.loss < 0.5 AND params.lr = '0.01'`.",
          schema: { type: 'string' },
        },
        {
          name: 'orderBy',
          in: 'query',
          description: 'Order item, repeatable, e.g. `metrics.loss ASC` or `attributes.duration DESC`; NULLs last, ties by run id.',
          schema: { type: 'array', items: { type: 'string' } },
        },
        {
          name: 'columns',
          in: 'query',
          description:
            'Column ids, repeatable: `attributes.run_name|status|user|start_time|end_time|duration|experiment_id`, `metrics.<key>`, `params.<key>`, `tags.<key>`. Not with `all`.',
          schema: { type: 'array', items: { type: 'string' } },
        },
        {
          name: 'all',
          in: 'query',
          description:
            '`1` (or `true`): every column instead of `columns`: every attribute, then every metric, param and tag key of the exported runs, shown on screen or not. Any other value, or `all` with `columns`, is refused with 400.',
          schema: { type: 'string', enum: ['1', 'true'] },
        },
      ],
      responses: {
        '200': { description: 'The CSV file.', content: { 'text/csv': { schema: { type: 'string' } } } },
        '400': error('Bad filter, order, column or all (named in the message).'),
        ...common,
      },
    },
  },
  '/api/v1/runs/{runId}': {
    get: {
      summary: 'A run with params, tags and latest metrics (needs project.read).',
      parameters: [runId],
      responses: { '200': { description: 'The run.', content: json({ type: 'object', properties: { run: ref('Run') } }) }, ...common },
    },
    patch: {
      summary: 'Change status, end time or name (needs run.write).',
      parameters: [runId],
      requestBody: {
        content: json({
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['running', 'finished', 'failed', 'killed'] },
            endTime: { type: 'integer', description: 'Epoch ms; defaults to now when the status becomes terminal.' },
            name: { type: 'string' },
          },
        }),
      },
      responses: {
        '200': { description: 'The run.', content: json({ type: 'object', properties: { run: ref('Run') } }) },
        '400': error('Invalid field.'),
        ...common,
      },
    },
  },
  '/api/v1/runs/{runId}/batch': {
    post: {
      summary: 'Log metric points, params and tags in one transaction (needs run.write).',
      description: `Thousands of points per request. A point equal to a stored one (key, step, timestamp, value) is stored once, so a retry never duplicates points. Params are write-once; at most 100 params and 100 tags per batch. NDJSON bodies carry one item per line: a MetricPoint, \`{"param": {key, value}}\` or \`{"tag": {key, value}}\`, checked by the same rules as the JSON batch, each error naming its line; everything is written in one transaction. ${IDEMPOTENT} Bodies above MAX_BATCH_BODY_MB get 413.`,
      parameters: [runId, idempotencyKey],
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: ref('Batch') },
          'application/x-ndjson': {
            schema: {
              oneOf: [ref('MetricPoint'), ref('NdjsonParam'), ref('NdjsonTag')],
              description: 'One JSON object per line: a metric point, a param or a tag.',
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'Counts; pointsWritten excludes points already stored.',
          content: json(ref('BatchResult')),
          headers: replayedHeader,
        },
        '400': error('Invalid point, param or tag (named with its index or line), or a param already logged with another value.'),
        '409': error('The run is deleted.'),
        '413': error('Body too large.'),
        '422': keyReused,
        ...common,
      },
    },
  },
  '/api/v1/runs/{runId}/heartbeat': {
    post: {
      summary: 'Record that the run is alive (needs run.write).',
      parameters: [runId],
      responses: { '204': { description: 'Recorded.' }, ...common },
    },
  },
  '/api/v1/runs/{runId}/logs': {
    post: {
      summary: 'Append log lines (needs run.write).',
      description: `Lines without \`ts\` get the server's time. ${IDEMPOTENT}`,
      parameters: [runId, idempotencyKey],
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['lines'],
          properties: {
            lines: {
              type: 'array',
              maxItems: 10000,
              items: {
                type: 'object',
                required: ['line'],
                properties: {
                  line: { type: 'string' },
                  ts: { oneOf: [{ type: 'integer' }, { type: 'string', format: 'date-time' }] },
                  stream: { type: 'string', default: 'stdout' },
                },
              },
            },
          },
        }),
      },
      responses: {
        '204': { description: 'Appended.', headers: replayedHeader },
        '400': error('Invalid line.'),
        '422': keyReused,
        ...common,
      },
    },
    get: {
      summary: 'Read log lines in order (needs project.read).',
      parameters: [
        runId,
        { name: 'after', in: 'query', description: '`next` of the previous page.', schema: { type: 'string' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 } },
      ],
      responses: {
        '200': {
          description: 'Lines and the cursor of the next page (null at the end).',
          content: json({
            type: 'object',
            properties: {
              lines: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    ts: { type: 'string', format: 'date-time' },
                    stream: { type: 'string' },
                    line: { type: 'string' },
                  },
                },
              },
              next: { type: 'string', nullable: true },
            },
          }),
        },
        ...common,
      },
    },
  },
  '/api/v1/runs/{runId}/metrics/{key}/history': {
    get: {
      summary: "One page of a metric's points in (step, timestamp, value) order (needs project.read).",
      parameters: [
        runId,
        { name: 'key', in: 'path', required: true, description: 'Metric name, URL-encoded (`system%2Fgpu0`).', schema: { type: 'string' } },
        { name: 'after', in: 'query', description: '`next` of the previous page.', schema: { type: 'string' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100000, default: 50000 } },
        {
          name: 'format',
          in: 'query',
          description:
            '`points` (default): a list of point objects; `columns`: parallel lists `steps`, `timestamps`, `values` (a third of the bytes; values are numbers or "NaN", "Infinity", "-Infinity").',
          schema: { type: 'string', enum: ['points', 'columns'], default: 'points' },
        },
      ],
      responses: {
        '200': {
          description: 'Points (or, with format=columns, parallel lists) and the cursor of the next page (null at the end).',
          content: json({
            type: 'object',
            properties: {
              key: { type: 'string' },
              points: { type: 'array', items: ref('StoredPoint') },
              steps: { type: 'array', items: { type: 'integer' } },
              timestamps: { type: 'array', items: { type: 'integer' } },
              values: { type: 'array', items: { oneOf: [{ type: 'number' }, { type: 'string', enum: ['NaN', 'Infinity', '-Infinity'] }] } },
              next: { type: 'string', nullable: true },
            },
          }),
        },
        '400': error('Bad cursor, limit or format.'),
        ...common,
      },
    },
  },
  '/api/v1/runs/{runId}/metrics/{key}/export': {
    get: {
      summary: "A metric's whole series at full resolution as a download (needs project.read).",
      parameters: [
        runId,
        { name: 'key', in: 'path', required: true, description: 'Metric name, URL-encoded.', schema: { type: 'string' } },
        { name: 'format', in: 'query', schema: { type: 'string', enum: ['csv', 'json'], default: 'csv' } },
      ],
      responses: {
        '200': {
          description: 'CSV (`step,timestamp,value`, NaN and ±Infinity spelled out) or JSON `{key, points}`, streamed as an attachment.',
          content: {
            'text/csv': { schema: { type: 'string' } },
            ...json({ type: 'object', properties: { key: { type: 'string' }, points: { type: 'array', items: ref('StoredPoint') } } }),
          },
        },
        '400': error('Bad format.'),
        ...common,
      },
    },
  },
  '/api/v1/runs/{runId}/dataset-inputs': {
    post: {
      summary: 'Record that the run used a sealed dataset version of its project (needs run.write).',
      description:
        'Body `{ "datasetVersionId": "<uuid>", "context": "training" }`. The input is named `<dataset> v<number>`, its digest is the manifest sha256, and it is linked to the version (provenance). Logging it again answers `added: false`. MLflow clients are linked the same way when log_input names `caliper://dataset-versions/<id>` in the source or the manifest sha256 (8+ hex characters) as the digest.',
      parameters: [runId],
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['datasetVersionId'],
          properties: { datasetVersionId: { type: 'string', format: 'uuid' }, context: { type: 'string' } },
        }),
      },
      responses: {
        '200': {
          description: 'Recorded.',
          content: json({ type: 'object', properties: { added: { type: 'boolean' }, name: { type: 'string' } } }),
        },
        '400': error('Not a version id.'),
        ...common,
        '404': error("No such run, or no sealed dataset version with this id in the run's project."),
      },
    },
  },
  '/api/v1/dataset-versions/{versionId}/dicom': {
    put: {
      summary: 'Add one DICOM Part-10 file to a draft dataset version (needs dataset.write).',
      description:
        'The body is the file (at most 64 MiB). It is identified with dcmjs (non-DICOM, truncated or UID-less files are refused, naming what is wrong), stored in the datasets bucket under its sha256, and added as the item of its SOP Instance UID; its PatientID is kept only as an HMAC under the project secret. The same file again answers `created: false`; another file with that SOP Instance UID is 409. Send `X-Checksum-Sha256` to have the body verified (a mismatch stores nothing).',
      parameters: [
        { name: 'versionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        { name: 'label', in: 'query', description: 'A classification label for the item.', schema: { type: 'string' } },
        { name: 'X-Checksum-Sha256', in: 'header', schema: { type: 'string' } },
      ],
      requestBody: { required: true, content: { 'application/dicom': { schema: { type: 'string', format: 'binary' } } } },
      responses: {
        '200': {
          description: 'Added (or already there).',
          content: json({ type: 'object', properties: { created: { type: 'boolean' }, item: { type: 'object' } } }),
        },
        '400': error('Not DICOM, truncated, without a UID or PatientID, or a digest mismatch.'),
        '409': error('The version is sealed, or holds another file with this SOP Instance UID.'),
        '413': error('Larger than 64 MiB.'),
        ...common,
      },
    },
  },
  '/api/v1/dataset-versions/{versionId}/zip': {
    put: {
      summary: 'Add a zip of DICOM Part-10 files to a draft dataset version, all or nothing (needs dataset.write).',
      description:
        'The body (application/zip or application/octet-stream: a JSON or form Content-Type would be parsed as such) is streamed to a temporary file, at most DATASET_ZIP_MAX_MB (default 2048 MiB), and hashed; send `X-Checksum-Sha256` to have it verified. The central directory is checked before anything is inflated: at most 50,000 entries, 64 MiB per file and 16 GiB in all as declared, no entry inflating more than 100 times (over 1 MiB), no path that could escape its folder, no encryption, no archive inside; each entry must then inflate to exactly what it declares. Every file is identified with dcmjs (non-DICOM, truncated, UID-less or PatientID-less files are refused). Only then are the new files stored in the datasets bucket under their sha256 and their items written in one transaction: any refusal names the entry and why, and stores nothing. System files (__MACOSX, .DS_Store, ._ files, Thumbs.db, desktop.ini, DICOMDIR) and second copies of a file are skipped and listed; a file the version already holds with the same content is counted unchanged, so a retried zip changes nothing. A draft only: a sealed version is refused before the body is read.',
      parameters: [
        { name: 'versionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        { name: 'X-Checksum-Sha256', in: 'header', description: 'sha256 of the zip, hex.', schema: { type: 'string' } },
      ],
      requestBody: {
        required: true,
        content: {
          'application/zip': { schema: { type: 'string', format: 'binary' } },
          'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
        },
      },
      responses: {
        '200': {
          description: 'Added (or already there).',
          content: json({
            type: 'object',
            properties: {
              zip: { type: 'object', properties: { sha256: { type: 'string' }, size: { type: 'integer' } } },
              files: { type: 'integer', description: 'Files in the zip (folders left out).' },
              created: { type: 'integer', description: 'Items added.' },
              unchanged: { type: 'integer', description: 'Files the version already held with the same content.' },
              skipped: {
                type: 'array',
                items: { type: 'object', properties: { name: { type: 'string' }, reason: { type: 'string' } } },
              },
            },
          }),
        },
        '400': error(
          'Not a zip (or cut short); an entry that is not DICOM, truncated, without a UID or PatientID, encrypted, an archive, on an escaping path, over the size or ratio limits, or inflating past what it declares; two files with one SOP Instance UID, or a SOP Instance UID the version holds with other content; too many entries; no files; a digest mismatch. The message names the entry.',
        ),
        '409': error('The version is sealed.'),
        '413': error('Larger than DATASET_ZIP_MAX_MB.'),
        ...common,
        '404': error('No such dataset version.'),
      },
    },
  },
  '/api/v1/dataset-versions/{versionId}/labels': {
    put: {
      summary: 'Set classification labels of items of a draft dataset version from a file, all or nothing (needs dataset.write).',
      description:
        'text/csv (UTF-8, at most 32 MiB and 200,000 rows) with a header `sop_instance_uid,label` or `item_key,label` (case and spaces in the header do not matter), or application/json: `[{"sopInstanceUid": "…", "label": "…"}]` (or `itemKey`) or `{"<SOP Instance UID>": "<label>"}`. A label is at most 200 characters; an empty label (or null) clears the item\'s label. Every item must be in the version, and an item listed twice must get the same label. Any problem refuses the whole file, listing the first rows by line (or entry) and changing nothing. Applied in one transaction; items already so labelled are counted unchanged, so the same file again changes nothing. A draft only: a sealed version is refused before a CSV body is read.',
      parameters: [{ name: 'versionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      requestBody: {
        required: true,
        content: {
          'text/csv': { schema: { type: 'string' } },
          ...json({
            oneOf: [
              {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    sopInstanceUid: { type: 'string' },
                    itemKey: { type: 'string' },
                    label: { type: 'string', nullable: true },
                  },
                },
              },
              { type: 'object', additionalProperties: { type: 'string', nullable: true } },
            ],
          }),
        },
      },
      responses: {
        '200': {
          description: 'Applied.',
          content: json({
            type: 'object',
            properties: {
              rows: { type: 'integer' },
              labelled: { type: 'integer', description: 'Items whose label changed.' },
              unchanged: { type: 'integer' },
            },
          }),
        },
        '400': error(
          'Another Content-Type; malformed CSV or a bad header; a row without a key or with a label over 200 characters; an item the version does not have; one item labelled two ways; no rows or too many; not UTF-8. The message lists the first rows by line.',
        ),
        '409': error('The version is sealed.'),
        '413': error('A CSV over 32 MiB (JSON: over MAX_BATCH_BODY_MB).'),
        ...common,
        '404': error('No such dataset version.'),
      },
    },
  },
  '/api/v1/dataset-versions/{versionId}/splits': {
    put: {
      summary: 'Set explicit patient-level splits of a draft dataset version from a CSV file, all or nothing (needs dataset.write).',
      description:
        'text/csv (UTF-8, at most 32 MiB and 200,000 rows) with a header `sop_instance_uid,split` or `study_instance_uid,split`; split is train, val or test (any case). Each row places the patient of its instance or study in that split: every item of the patient, named in the file or not, so a patient is always in one split. Refused whole, listing the first rows by line and changing nothing: an instance or study the version does not have; two rows putting one patient in different splits (both rows named); a key listed with two splits; a bad split value; malformed CSV or a bad header; and, on a version still split by its seed, a file that leaves some of its patients out (each named by a study or instance). Applied in one transaction and audited. The version is then explicit (DatasetVersion.splitMode): later files may place some patients only; a new item of a placed patient joins its split, a new patient stays in no split until a file places it, and sealing is refused while any item is in no split. A child version keeps the splits unless it is resplit. The same file again changes nothing. A draft only: a sealed version is refused before the body is read.',
      parameters: [{ name: 'versionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
      responses: {
        '200': {
          description: "Applied; the version's patients and items per split afterwards.",
          content: json({
            type: 'object',
            properties: {
              rows: { type: 'integer' },
              patients: { type: 'integer', description: 'Patients the file placed.' },
              changed: { type: 'integer', description: 'Items whose split changed.' },
              splitMode: { type: 'string', enum: ['explicit'] },
              splits: {
                type: 'object',
                properties: Object.fromEntries(
                  ['train', 'val', 'test'].map((s) => [
                    s,
                    { type: 'object', properties: { patients: { type: 'integer' }, items: { type: 'integer' } } },
                  ]),
                ),
              },
              unplaced: {
                type: 'object',
                description: 'Patients and items in no split yet.',
                properties: { patients: { type: 'integer' }, items: { type: 'integer' } },
              },
            },
          }),
        },
        '400': error(
          'Not text/csv; malformed CSV or a bad header; a bad split; an unknown instance or study; one patient in two splits; a first file leaving patients out; no rows or too many; not UTF-8. The message lists the first rows by line.',
        ),
        '409': error('The version is sealed.'),
        '413': error('Larger than 32 MiB.'),
        ...common,
        '404': error('No such dataset version.'),
      },
    },
  },
  '/api/v1/dataset-versions/{versionId}/items/{sopInstanceUid}/mask': {
    get: {
      summary: "One item's segmentation mask, as it was set (needs project.read).",
      description:
        'The PNG, NIfTI or DICOM SEG bytes from the datasets bucket. A mask is stored under its sha256 and that object key is in the sealed manifest (`mask`), so `X-Checksum-Sha256` (the sha256 the key names) ties the bytes to the seal: hash the body and compare.',
      parameters: [
        { name: 'versionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        {
          name: 'sopInstanceUid',
          in: 'path',
          required: true,
          description: "The item's key: its SOP Instance UID.",
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': { description: 'The mask.', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        ...common,
        '404': error('No such item, the item has no mask, or the bucket no longer has it.'),
      },
    },
    put: {
      summary: "Set an item's segmentation mask in a draft dataset version (needs dataset.write).",
      description:
        "The body (at most 256 MiB; application/octet-stream or the file's own type, not JSON or form data) is told apart by content: a DICOM SEG (Modality SEG, of the item's study, referencing the item's instance or series), a NIfTI-1/2 file (.nii, or gzipped .nii.gz inflated up to 2 GiB; a sound header whose dimensions, bitpix and vox_offset the file's bytes cover; not a .hdr/.img pair) or a PNG (signature, IHDR with a valid CRC, ending with IEND). It is stored in the datasets bucket under its sha256 and set as the item's mask (audited with the mask it replaces); the same mask again answers `changed: false`. A refused mask stores nothing. Send `X-Checksum-Sha256` to have the body verified. A draft only: a sealed version is refused before the body is read.",
      parameters: [
        { name: 'versionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        {
          name: 'sopInstanceUid',
          in: 'path',
          required: true,
          description: "The item's key: its SOP Instance UID.",
          schema: { type: 'string' },
        },
        { name: 'X-Checksum-Sha256', in: 'header', schema: { type: 'string' } },
      ],
      requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
      responses: {
        '200': {
          description: 'Set (or already set).',
          content: json({
            type: 'object',
            properties: {
              itemKey: { type: 'string' },
              maskKey: { type: 'string', description: 'Object key in the datasets bucket.' },
              format: { type: 'string', enum: ['dicom-seg', 'nifti', 'png'] },
              sha256: { type: 'string' },
              size: { type: 'integer' },
              changed: { type: 'boolean' },
            },
          }),
        },
        '400': error(
          "Neither DICOM SEG, NIfTI nor PNG; a SEG of another study or referencing neither the item's instance nor its series; a NIfTI or PNG whose header is invalid or whose data is cut short; a gzipped file that cannot be inflated or inflates past 2 GiB; a digest mismatch.",
        ),
        '409': error('The version is sealed.'),
        '413': error('Larger than 256 MiB.'),
        ...common,
        '404': error('No such dataset version, or no such item in it.'),
      },
    },
  },
  '/api/v1/dataset-versions/{versionId}': {
    get: {
      summary:
        'A dataset version: dataset, number, state, seal time, manifest sha256, counts, label set, split settings (needs project.read).',
      parameters: [{ name: 'versionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: { '200': { description: 'The version.', content: json({ type: 'object' }) }, ...common },
    },
  },
  '/api/v1/dataset-versions/{versionId}/manifest': {
    get: {
      summary: "A sealed version's canonical manifest, byte for byte as sealed (needs project.read).",
      description:
        'JSON lines: a header (format, dataset, version, split settings, label set, counts), then one line per item in key order (item, study, series, sop, object, modality, sha256, size, patient key, split, label, mask). `X-Checksum-Sha256` is the sha256 recorded at the seal; hash the body and compare before trusting it.',
      parameters: [{ name: 'versionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: {
        '200': { description: 'The manifest.', content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
        '409': error('The version is a draft.'),
        ...common,
      },
    },
  },
  '/api/v1/dataset-versions/{versionId}/items/{itemKey}/content': {
    get: {
      summary: "One item's DICOM bytes (needs project.read).",
      description:
        'Copied and uploaded items come from the datasets bucket; items referenced in the PACS are fetched by WADO-RS in their stored transfer syntax. `X-Checksum-Sha256` is the sha256 the item was recorded with and `X-Expected-Size` its size: bytes that hash otherwise have drifted since.',
      parameters: [
        { name: 'versionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        { name: 'itemKey', in: 'path', required: true, schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'The bytes.', content: { 'application/dicom': { schema: { type: 'string', format: 'binary' } } } },
        ...common,
        '404': error('No such item, or the PACS or bucket no longer has it.'),
        '503': error('The PACS did not answer; retry later.'),
      },
    },
  },
  '/api/v1/projects/{projectId}/models/{name}/versions/{version}/card.md': {
    get: {
      summary: "A model version's card as Markdown (needs project.read).",
      description:
        "The version's identity (model, version, stage, artifact and ONNX sha256, source run), every card section, the metrics with thresholds, the subgroup results, the sections still missing and, once promotion requests were signed, each signature's printed name, role, meaning, decision and time. Sent as an attachment.",
      parameters: cardParameters,
      responses: {
        '200': { description: 'The card.', content: { 'text/markdown': { schema: { type: 'string' } } } },
        '400': error('The version is not a version number, or the project id not a UUID.'),
        ...common,
        '404': error('No such model or version in the project.'),
      },
    },
  },
  '/api/v1/projects/{projectId}/models/{name}/versions/{version}/card.pdf': {
    get: {
      summary: "A model version's card as PDF (needs project.read).",
      description:
        "The version's identity (model, version, stage, artifact and ONNX sha256, source run), every card section, the metrics with thresholds, the subgroup results, the sections still missing and, once promotion requests were signed, each signature's printed name, role, meaning, decision and time. Sent as an attachment.",
      parameters: cardParameters,
      responses: {
        '200': { description: 'The card.', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
        '400': error('The version is not a version number, or the project id not a UUID.'),
        ...common,
        '404': error('No such model or version in the project.'),
      },
    },
  },
  '/api/v1/projects/{projectId}/models/{name}/versions/{version}/provenance.json': {
    get: {
      summary: "A model version's provenance as JSON (needs project.read).",
      description:
        'The same document as the GraphQL field ModelVersion.provenance: dataset versions with their manifest sha256, the run (parameters, code commit, image digest, executor), the pinned files with their sha256, each promotion request with its gates, evaluation evidence and signatures, the deployments, and the audit events of each with their chain seq and hash. Read in one snapshot; every list bounded. Sent as an attachment.',
      parameters: cardParameters,
      responses: {
        '200': { description: 'The provenance document.', content: { 'application/json': { schema: { type: 'object' } } } },
        '400': error('The version is not a version number, or the project id not a UUID.'),
        ...common,
        '404': error('No such model or version in the project.'),
      },
    },
  },
  '/api/v1/projects/{projectId}/models/{name}/versions/{version}/provenance.pdf': {
    get: {
      summary: "A model version's provenance as a printable PDF report (needs project.read).",
      description: 'The provenance document laid out for print, with the signatures and the audit trail. Sent as an attachment.',
      parameters: cardParameters,
      responses: {
        '200': { description: 'The report.', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
        '400': error('The version is not a version number, or the project id not a UUID.'),
        ...common,
        '404': error('No such model or version in the project.'),
      },
    },
  },
  '/api/v1/model-versions/{versionId}/files': {
    get: {
      summary: "A model version's pinned files: path, size and sha256 of each (needs project.read).",
      description:
        "What a training job's initial weights are made of (transfer learning): a Kubernetes run's init container fetches each with the run's token. An unknown or deleted version and one of a project the caller cannot read answer the same 404.",
      parameters: [{ name: 'versionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: {
        '200': {
          description: 'The files, by path.',
          content: json({
            type: 'object',
            properties: {
              files: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { path: { type: 'string' }, size: { type: 'integer' }, sha256: { type: 'string' } },
                },
              },
            },
          }),
        },
        ...common,
        '404': error('No such model version here.'),
      },
    },
  },
  '/api/v1/model-versions/{versionId}/files/{path}': {
    get: {
      summary: 'One pinned file of a model version, whole (needs project.read).',
      description:
        '`X-Checksum-Sha256` is the sha256 the file was registered with; hash the body and compare before using it (no ranges: `Accept-Ranges: none`). The path may hold slashes (`model/model.onnx`).',
      parameters: [
        { name: 'versionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        { name: 'path', in: 'path', required: true, schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'The bytes.', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        ...common,
        '404': error('No such version or file, or its stored object is missing.'),
      },
    },
  },
  '/api/v1/runs/{runId}/artifacts': {
    get: {
      summary: "List one directory of the run's artifacts (needs project.read).",
      parameters: [
        runId,
        {
          name: 'prefix',
          in: 'query',
          description: 'Directory to list, e.g. `model`; empty: the root. Subdirectories are listed as entries with isDir.',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': {
          description: 'Entries of the directory.',
          content: json({ type: 'object', properties: { files: { type: 'array', items: ref('ArtifactEntry') } } }),
        },
        ...common,
      },
    },
  },
  '/api/v1/runs/{runId}/artifacts/{path}': {
    put: {
      summary: 'Upload an artifact, streamed (needs run.write).',
      description:
        'The body is the file. sha256 and size are computed while streaming; send `X-Checksum-Sha256: <hex>` or `Digest: sha-256=<base64>` to have it verified (a mismatch stores nothing). Uploading a path again maps it to a new object; the replaced object is then removed from storage unless a model version pins it.',
      parameters: [
        runId,
        artifactPath,
        { name: 'X-Checksum-Sha256', in: 'header', schema: { type: 'string' } },
        { name: 'Digest', in: 'header', schema: { type: 'string' } },
      ],
      requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
      responses: {
        '200': { description: 'Stored.', content: json({ type: 'object', properties: { artifact: ref('Artifact') } }) },
        '400': error('Bad path or digest mismatch.'),
        '409': error('The run is deleted.'),
        '413': error('Larger than ARTIFACT_MAX_SIZE_MB.'),
        ...common,
      },
    },
    get: {
      summary: 'Download an artifact, streamed, as an attachment (needs project.read).',
      parameters: [runId, artifactPath, { name: 'Range', in: 'header', description: 'One `bytes=` range.', schema: { type: 'string' } }],
      responses: {
        '200': { description: 'The file.', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        '206': { description: 'The requested range.' },
        '416': { description: 'Range outside the file.' },
        ...common,
      },
    },
    delete: {
      summary: 'Delete the artifact, or every artifact under a directory path (needs run.write).',
      description: 'Removes the mappings, then the objects from storage, except objects a model version pins (they stay for the version).',
      parameters: [runId, artifactPath],
      responses: {
        '200': {
          description: 'How many artifacts were removed.',
          content: json({ type: 'object', properties: { deleted: { type: 'integer' } } }),
        },
        ...common,
      },
    },
  },
  '/api/v1/runs/{runId}/artifacts-presign': {
    post: {
      summary: 'A presigned S3 GET URL for one artifact, valid at most 15 minutes (needs project.read).',
      parameters: [runId],
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['path'],
          properties: { path: { type: 'string' }, expiresInSeconds: { type: 'integer', minimum: 1, maximum: 900, default: 900 } },
        }),
      },
      responses: {
        '200': {
          description: 'The URL (signed for S3_PUBLIC_ENDPOINT).',
          content: json({ type: 'object', properties: { url: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } }),
        },
        ...common,
      },
    },
  },
};

export const NATIVE_OPENAPI = {
  openapi: '3.0.3',
  info: {
    title: 'Caliper native API',
    version: '1',
    description:
      'High-rate run tracking and artifacts. Errors are `{code, message}`. Authenticate with `Authorization: Bearer <API token>`, Basic credentials or the web session cookie.',
  },
  security: [{ bearer: [] }, { basic: [] }, { session: [] }],
  paths,
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer' },
      basic: { type: 'http', scheme: 'basic' },
      session: { type: 'apiKey', in: 'cookie', name: 'caliper_session' },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string', example: 'BAD_USER_INPUT' }, message: { type: 'string' } },
      },
      KeyValue: { type: 'object', required: ['key', 'value'], properties: { key: { type: 'string' }, value: { type: 'string' } } },
      MetricPoint: {
        type: 'object',
        required: ['key', 'value'],
        properties: {
          key: { type: 'string' },
          value: metricValue,
          step: { type: 'integer', default: 0 },
          timestamp: { type: 'integer', description: 'Epoch ms; default now.' },
        },
      },
      NdjsonParam: {
        type: 'object',
        required: ['param'],
        additionalProperties: false,
        properties: {
          param: {
            type: 'object',
            required: ['key', 'value'],
            properties: { key: { type: 'string' }, value: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } },
          },
        },
        example: { param: { key: 'lr', value: 0.001 } },
      },
      NdjsonTag: {
        type: 'object',
        required: ['tag'],
        additionalProperties: false,
        properties: { tag: ref('KeyValue') },
        example: { tag: { key: 'phase', value: 'train' } },
      },
      StoredPoint: { type: 'object', properties: { step: { type: 'integer' }, timestamp: { type: 'integer' }, value: metricValue } },
      Batch: { type: 'object', properties: { metrics: { type: 'array', items: ref('MetricPoint') }, params: keyValues, tags: keyValues } },
      BatchResult: {
        type: 'object',
        properties: {
          metricsReceived: { type: 'integer' },
          pointsWritten: { type: 'integer' },
          params: { type: 'integer' },
          tags: { type: 'integer' },
        },
      },
      CreateRun: {
        type: 'object',
        properties: {
          experiment: { type: 'string', default: 'Default' },
          name: { type: 'string' },
          startTime: { type: 'integer' },
          tags: keyValues,
          params: keyValues,
          gitCommit: { type: 'string' },
          gitRepo: { type: 'string' },
          imageDigest: { type: 'string' },
          parentRunId: { type: 'string' },
        },
      },
      Run: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          status: { type: 'string', enum: ['queued', 'starting', 'running', 'finished', 'failed', 'killed', 'lost'] },
          lifecycleStage: { type: 'string', enum: ['active', 'deleted'] },
          experiment: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
          projectId: { type: 'string' },
          startTime: { type: 'integer', nullable: true },
          endTime: { type: 'integer', nullable: true },
          heartbeatAt: { type: 'string', nullable: true },
          artifactUri: { type: 'string' },
          parentRunId: { type: 'string', nullable: true },
          gitCommit: { type: 'string', nullable: true },
          gitRepo: { type: 'string', nullable: true },
          imageDigest: { type: 'string', nullable: true },
          params: { type: 'object', additionalProperties: { type: 'string' } },
          tags: { type: 'object', additionalProperties: { type: 'string' } },
          latestMetrics: { type: 'array', items: ref('MetricPoint') },
          inputs: { type: 'array', items: { type: 'object' } },
        },
      },
      Artifact: {
        type: 'object',
        properties: {
          path: { type: 'string' },
          size: { type: 'integer' },
          sha256: { type: 'string' },
          contentType: { type: 'string', nullable: true },
        },
      },
      ArtifactEntry: {
        type: 'object',
        properties: { path: { type: 'string' }, isDir: { type: 'boolean' }, size: { type: 'integer' }, sha256: { type: 'string' } },
      },
    },
  },
};
