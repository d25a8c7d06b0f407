// The record schemas (schema/<kind>.schema.json), compiled by ajv's JSON Schema Draft 2020-12 validator in strict
// mode: a keyword the standard does not define, a keyword on a node of the wrong type (`minimum` on a string), a
// `required` field that is no property, or a malformed schema is an error when the schema is loaded, so the files
// hold to the real standard and any Draft 2020-12 validator reads them as these tests do. Also: small walkers over
// a schema's shape (`resolve`, `typesOf`) for the checks that compare it with the TypeScript types, the CSV columns,
// the case store and the README.

import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../conformance/shared-corpus.js';

/**
 * Every record kind the tool writes, by its schema's file name (schema/<kind>.schema.json), and what one record is.
 * schema.test.ts validates each against the golden files or fixtures that hold it, and fails on a file in schema/
 * that is not listed here.
 */
export const RECORD_KINDS = {
  flow: 'one line of `residency flows` (NDJSON; its CSV columns are the fields, in order)',
  dns: 'one line of `residency dns` (NDJSON; its CSV columns are the fields, in order)',
  extract: 'one document of `residency extract`',
  geo: 'one element of the JSON array `residency geo` prints',
  report: 'report.json, written by `residency audit` and `residency report` (schema residency.report/2)',
} as const;

export type RecordKind = keyof typeof RECORD_KINDS;

export const SCHEMA_DIR = join(REPO_ROOT, 'schema');

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';

/** The part of a schema node the shape walkers read; ajv validates the whole node, whatever keywords it has. */
export interface SchemaNode {
  $ref?: string;
  $defs?: Record<string, SchemaNode>;
  description?: string;
  type?: JsonType | JsonType[];
  enum?: (string | number | null)[];
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  [keyword: string]: unknown;
}

export function schemaFile(kind: RecordKind): string {
  return join(SCHEMA_DIR, `${kind}.schema.json`);
}

/** The kinds that have a file in schema/ (`<kind>.schema.json`), sorted: what RECORD_KINDS must list. */
export function schemaFilesPresent(): string[] {
  return readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json')).map((f) => f.slice(0, -'.schema.json'.length)).sort();
}

export function loadSchema(kind: RecordKind): SchemaNode {
  return JSON.parse(readFileSync(schemaFile(kind), 'utf8')) as SchemaNode;
}

/** A strict Draft 2020-12 validator; every error reported (allErrors), with the value at fault (verbose). */
export function newAjv(): Ajv2020 {
  return new Ajv2020({ strict: true, allErrors: true, verbose: true });
}

const compiled = new Map<RecordKind, ValidateFunction>();

/** The compiled validator of a kind's schema (throws, naming the file, when strict mode rejects the schema). */
export function validatorOf(kind: RecordKind): ValidateFunction {
  let v = compiled.get(kind);
  if (v === undefined) {
    try {
      v = newAjv().compile(loadSchema(kind));
    } catch (e) {
      throw new Error(`schema/${kind}.schema.json: ${(e as Error).message}`);
    }
    compiled.set(kind, v);
  }
  return v;
}

/** One ajv error as `<JSON pointer>: <what>`, naming the field or value at fault. */
export function errorText(e: ErrorObject): string {
  const where = e.instancePath === '' ? '/' : e.instancePath;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}: field ${String(p.additionalProperty)} is not in the schema`;
    case 'required':
      return `${where}: required field ${String(p.missingProperty)} is missing`;
    case 'enum':
      return `${where}: ${JSON.stringify(e.data)} is not one of ${JSON.stringify(p.allowedValues)}`;
    default:
      return `${where}: ${JSON.stringify(e.data)} ${e.message ?? e.keyword}`;
  }
}

/** Every way `value` breaks the kind's schema (empty when it is valid). */
export function validate(kind: RecordKind, value: unknown): string[] {
  const v = validatorOf(kind);
  return v(value) ? [] : (v.errors ?? []).map(errorText);
}

/** Follows a `#/$defs/<name>` reference (the only kind of `$ref` the shape walkers follow). */
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

/**
 * Keywords valid in Draft 2020-12 that change a record's shape in ways the comparisons with the TypeScript types,
 * the CSV columns, the case store and the README do not read (they follow type, enum, properties, required, items
 * and `$ref`s to `$defs`). A schema using one would pass those comparisons without being compared: teach
 * ts-shapes.ts the keyword first.
 */
export const SHAPE_KEYWORDS_NOT_COMPARED = [
  'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'const', 'prefixItems', 'contains', 'patternProperties',
  'propertyNames', 'dependentSchemas', 'dependentRequired', 'unevaluatedProperties', 'unevaluatedItems', '$dynamicRef',
  '$anchor', '$dynamicAnchor',
] as const;

/** Every subschema of `node` (itself included) with its JSON pointer, through properties, items and $defs. */
export function subschemas(node: SchemaNode, at = '#'): [string, SchemaNode][] {
  const out: [string, SchemaNode][] = [[at, node]];
  for (const [k, v] of Object.entries(node.properties ?? {})) out.push(...subschemas(v, `${at}/properties/${k}`));
  for (const [k, v] of Object.entries(node.$defs ?? {})) out.push(...subschemas(v, `${at}/$defs/${k}`));
  if (node.items !== undefined) out.push(...subschemas(node.items, `${at}/items`));
  if (typeof node.additionalProperties === 'object') out.push(...subschemas(node.additionalProperties, `${at}/additionalProperties`));
  return out;
}
