// Reads the record interfaces of src/types.ts (and the report model, src/audit/report-model.ts) with the TypeScript
// compiler (a dev dependency) and compares them with a schema: the same fields, optional exactly where the schema
// does not require them, and the same types (string, number, boolean, literal unions as enums, null, arrays, nested
// objects, and maps: `Record<string, T>` against an object whose additionalProperties is T's schema). Each
// disagreement is one message naming the field, the schema file and the interface.

import ts from 'typescript';
import { join } from 'node:path';
import { REPO_ROOT } from '../conformance/shared-corpus.js';
import { resolve, typesOf, type SchemaNode } from './record-schemas.js';

export const TYPES_FILE = join(REPO_ROOT, 'src/types.ts');
export const REPORT_MODEL_FILE = join(REPO_ROOT, 'src/audit/report-model.ts');

export type Shape =
  | { kind: 'string' | 'number' | 'boolean' | 'unknown'; nullable: boolean; text: string }
  | { kind: 'enum'; values: (string | number)[]; nullable: boolean; text: string }
  | { kind: 'array'; items: Shape; nullable: boolean; text: string }
  | { kind: 'map'; values: Shape; nullable: boolean; text: string }
  | { kind: 'object'; fields: Map<string, Field>; nullable: boolean; text: string };

export interface Field {
  shape: Shape;
  optional: boolean;
}

const cached = new Map<string, { checker: ts.TypeChecker; exports: ts.Symbol[] }>();

function program(file: string): { checker: ts.TypeChecker; exports: ts.Symbol[] } {
  const hit = cached.get(file);
  if (hit !== undefined) return hit;
  const p = ts.createProgram([file], {
    strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true, skipLibCheck: true, types: [],
  });
  const checker = p.getTypeChecker();
  const sf = p.getSourceFile(file);
  const mod = sf === undefined ? undefined : checker.getSymbolAtLocation(sf);
  if (mod === undefined) throw new Error(`cannot read ${file}`);
  const out = { checker, exports: checker.getExportsOfModule(mod) };
  cached.set(file, out);
  return out;
}

/** The fields of one or more interfaces of src/types.ts, merged (e.g. FlowRecord and FlowGeoFields). */
export function interfaceFields(...names: string[]): Map<string, Field> {
  return interfaceFieldsOf(TYPES_FILE, ...names);
}

/** The fields of one or more interfaces exported by `file`, merged. */
export function interfaceFieldsOf(file: string, ...names: string[]): Map<string, Field> {
  const { checker, exports } = program(file);
  const out = new Map<string, Field>();
  for (const name of names) {
    const sym = exports.find((s) => s.name === name);
    if (sym === undefined) throw new Error(`${file} exports no ${name}`);
    const shape = shapeOf(checker, checker.getDeclaredTypeOfSymbol(sym));
    if (shape.kind !== 'object') throw new Error(`${name} is not an interface`);
    for (const [k, f] of shape.fields) out.set(k, f);
  }
  return out;
}

function shapeOf(checker: ts.TypeChecker, type: ts.Type, depth = 0): Shape {
  const text = checker.typeToString(type).replace(/ \| undefined\b|\bundefined \| /g, '');
  const parts = (type.isUnion() ? type.types : [type]).filter((t) => (t.flags & ts.TypeFlags.Undefined) === 0);
  const nullable = parts.some((t) => (t.flags & ts.TypeFlags.Null) !== 0);
  const rest = parts.filter((t) => (t.flags & ts.TypeFlags.Null) === 0);
  if (rest.length > 0 && rest.every((t) => (t.flags & ts.TypeFlags.BooleanLiteral) !== 0)) return { kind: 'boolean', nullable, text };
  if (rest.length > 0 && rest.every((t) => t.isStringLiteral() || t.isNumberLiteral())) {
    return { kind: 'enum', values: rest.map((t) => (t as ts.LiteralType).value as string | number), nullable, text };
  }
  if (rest.length !== 1) return { kind: 'unknown', nullable, text };
  const t = rest[0];
  if ((t.flags & ts.TypeFlags.String) !== 0) return { kind: 'string', nullable, text };
  if ((t.flags & ts.TypeFlags.Number) !== 0) return { kind: 'number', nullable, text };
  if (checker.isArrayType(t)) {
    const [item] = checker.getTypeArguments(t as ts.TypeReference);
    return { kind: 'array', items: shapeOf(checker, item, depth + 1), nullable, text };
  }
  if ((t.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) !== 0 && depth < 16) {
    const props = checker.getPropertiesOfType(t);
    const index = checker.getIndexInfosOfType(t);
    if (props.length === 0 && index.length === 1) return { kind: 'map', values: shapeOf(checker, index[0].type, depth + 1), nullable, text };
    const fields = new Map<string, Field>();
    for (const p of props) {
      // A property of a mapped type (`Record<'a' | 'b', T>`) has no declaration of its own.
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      const type = decl === undefined ? checker.getTypeOfSymbol(p) : checker.getTypeOfSymbolAtLocation(p, decl);
      fields.set(p.name, { shape: shapeOf(checker, type, depth + 1), optional: (p.flags & ts.SymbolFlags.Optional) !== 0 });
    }
    return { kind: 'object', fields, nullable, text };
  }
  return { kind: 'unknown', nullable, text };
}

function describeSchema(n: SchemaNode): string {
  const types = typesOf(n).join('|');
  return n.enum !== undefined ? `${types} enum ${JSON.stringify(n.enum)}` : types;
}

/** Disagreements between a schema node and a TypeScript shape; `path` names the field (`geo_sources[].lat`). */
export function compareShape(root: SchemaNode, node: SchemaNode, shape: Shape, path: string, where: string): string[] {
  const n = resolve(root, node);
  const types = typesOf(n);
  const out: string[] = [];
  const say = (what: string) => out.push(`${path}: ${what} (${where})`);
  const schemaNull = types.includes('null');
  if (schemaNull !== shape.nullable) say(`the schema says ${describeSchema(n)}, the type says ${shape.text}: null disagrees`);
  const nonNull = types.filter((t) => t !== 'null');
  const enumValues = (n.enum ?? []).filter((v) => v !== null);
  switch (shape.kind) {
    case 'string':
    case 'number':
    case 'boolean': {
      const ok = n.enum === undefined && nonNull.length === 1 &&
        (shape.kind === 'number' ? nonNull[0] === 'number' || nonNull[0] === 'integer' : nonNull[0] === shape.kind);
      if (!ok) say(`the schema says ${describeSchema(n)}, the type says ${shape.text}`);
      break;
    }
    case 'enum': {
      const a = [...shape.values].map(String).sort();
      const b = enumValues.map(String).sort();
      if (a.join() !== b.join()) say(`the schema's enum is ${JSON.stringify(enumValues)}, the type's values are ${JSON.stringify(shape.values)}`);
      break;
    }
    case 'array':
      if (nonNull.length !== 1 || nonNull[0] !== 'array' || n.items === undefined) say(`the schema says ${describeSchema(n)}, the type says ${shape.text}`);
      else out.push(...compareShape(root, n.items, shape.items, `${path}[]`, where));
      break;
    case 'object':
      if (nonNull.length !== 1 || nonNull[0] !== 'object') say(`the schema says ${describeSchema(n)}, the type says ${shape.text}`);
      else out.push(...compareFields(root, n, shape.fields, `${path}.`, where));
      break;
    case 'map':
      if (nonNull.length !== 1 || nonNull[0] !== 'object' || typeof n.additionalProperties !== 'object' || n.properties !== undefined) {
        say(`the schema says ${describeSchema(n)} (a map needs additionalProperties: <schema> and no properties), the type says ${shape.text}`);
      } else out.push(...compareShape(root, n.additionalProperties, shape.values, `${path}{}`, where));
      break;
    default:
      say(`the type ${shape.text} has no JSON Schema counterpart this test knows`);
  }
  return out;
}

/** Disagreements between an object schema and the fields of a type: names, required/optional, each field's type. */
export function compareFields(root: SchemaNode, node: SchemaNode, fields: Map<string, Field>, prefix: string, where: string): string[] {
  const n = resolve(root, node);
  const out: string[] = [];
  const props = n.properties ?? {};
  const required = new Set(n.required ?? []);
  if (n.additionalProperties !== false) out.push(`${prefix || '(top level)'}: the schema must say additionalProperties: false (${where})`);
  for (const k of Object.keys(props)) if (!fields.has(k)) out.push(`${prefix}${k}: in the schema, not in the type (${where})`);
  for (const [k, f] of fields) {
    const p = props[k];
    if (p === undefined) {
      out.push(`${prefix}${k}: in the type, not in the schema (${where})`);
      continue;
    }
    if (required.has(k) === f.optional) {
      out.push(`${prefix}${k}: ${required.has(k) ? 'required by the schema, optional in the type' : 'optional in the schema, required by the type'} (${where})`);
    }
    out.push(...compareShape(root, p, f.shape, `${prefix}${k}`, where));
  }
  for (const k of required) if (!(k in props)) out.push(`${prefix}${k}: required but not a property of the schema (${where})`);
  return out;
}
