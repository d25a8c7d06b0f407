// Loads the record schemas (schema/*.schema.json) and validates values against them. A minimal validator of the
// JSON Schema subset those files use: type (one or a list), enum, required, properties, additionalProperties: false,
// items, pattern, minimum, maximum, and local `$ref`s to `#/$defs/...`. Any other keyword in a schema is an error,
// so the files cannot drift into what this does not check. (ajv is not a dependency; this subset is ~100 lines.)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../conformance/shared-corpus.js';

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';

export interface SchemaNode {
  $schema?: string;
  $ref?: string;
  $defs?: Record<string, SchemaNode>;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  enum?: (string | number | null)[];
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: false;
  items?: SchemaNode;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

export type RecordKind = 'flow' | 'dns' | 'extract';
export const SCHEMA_DIR = join(REPO_ROOT, 'schema');

const KNOWN = new Set([
  '$schema', '$ref', '$defs', 'title', 'description', 'type', 'enum', 'required', 'properties', 'additionalProperties',
  'items', 'pattern', 'minimum', 'maximum',
]);

export function schemaFile(kind: RecordKind): string {
  return join(SCHEMA_DIR, `${kind}.schema.json`);
}

export function loadSchema(kind: RecordKind): SchemaNode {
  return JSON.parse(readFileSync(schemaFile(kind), 'utf8')) as SchemaNode;
}

/** The keywords outside the subset, with where they are (empty when the schema keeps to it). */
export function unsupportedKeywords(node: SchemaNode, at = '#'): string[] {
  const out: string[] = [];
  for (const k of Object.keys(node)) if (!KNOWN.has(k)) out.push(`${at}: ${k}`);
  if (node.additionalProperties !== undefined && node.additionalProperties !== false) out.push(`${at}: additionalProperties must be false`);
  for (const [k, v] of Object.entries(node.properties ?? {})) out.push(...unsupportedKeywords(v, `${at}/properties/${k}`));
  for (const [k, v] of Object.entries(node.$defs ?? {})) out.push(...unsupportedKeywords(v, `${at}/$defs/${k}`));
  if (node.items !== undefined) out.push(...unsupportedKeywords(node.items, `${at}/items`));
  return out;
}

/** Follows a `#/$defs/<name>` reference (the only kind the schemas use). */
export function resolve(root: SchemaNode, node: SchemaNode): SchemaNode {
  if (node.$ref === undefined) return node;
  const m = /^#\/\$defs\/([A-Za-z0-9_]+)$/.exec(node.$ref);
  const target = m === null ? undefined : root.$defs?.[m[1]];
  if (target === undefined) throw new Error(`unresolvable $ref ${node.$ref}`);
  return target;
}

export function typesOf(node: SchemaNode): JsonType[] {
  return node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
}

function typeMatches(t: JsonType, v: unknown): boolean {
  switch (t) {
    case 'null': return v === null;
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'array': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}

/** Every way `value` breaks `node` (empty when it is valid), each as `<JSON pointer>: <what>`. */
export function validate(root: SchemaNode, value: unknown, node: SchemaNode = root, at = ''): string[] {
  const n = resolve(root, node);
  const where = at === '' ? '/' : at;
  const types = typesOf(n);
  if (types.length > 0 && !types.some((t) => typeMatches(t, value))) {
    return [`${where}: ${JSON.stringify(value)} is not ${types.join(' or ')}`];
  }
  const errs: string[] = [];
  if (n.enum !== undefined && !n.enum.includes(value as string | number | null)) {
    errs.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(n.enum)}`);
  }
  if (typeof value === 'string' && n.pattern !== undefined && !new RegExp(n.pattern, 'u').test(value)) {
    errs.push(`${where}: ${JSON.stringify(value)} does not match ${n.pattern}`);
  }
  if (typeof value === 'number') {
    if (n.minimum !== undefined && value < n.minimum) errs.push(`${where}: ${value} is below ${n.minimum}`);
    if (n.maximum !== undefined && value > n.maximum) errs.push(`${where}: ${value} is above ${n.maximum}`);
  }
  if (Array.isArray(value) && n.items !== undefined) {
    value.forEach((v, i) => errs.push(...validate(root, v, n.items, `${at}/${i}`)));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    for (const k of n.required ?? []) if (!(k in o)) errs.push(`${where}: required field ${k} is missing`);
    for (const [k, v] of Object.entries(o)) {
      const p = n.properties?.[k];
      if (p !== undefined) errs.push(...validate(root, v, p, `${at}/${k}`));
      else if (n.additionalProperties === false) errs.push(`${where}: field ${k} is not in the schema`);
    }
  }
  return errs;
}
