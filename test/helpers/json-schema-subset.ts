// A small validator for the subset of JSON Schema (draft 2020-12) that schema/*.schema.json uses:
// $ref to "#/$defs/...", type, const, enum, properties, required, additionalProperties, items,
// prefixItems, minItems, minLength, minimum, maximum, pattern, oneOf, anyOf, not. Any other keyword
// throws, so the schema cannot silently rely on something this validator ignores.
// Annotations ($schema, $id, title, description, $comment, $defs) are skipped.

export type Schema = boolean | { [keyword: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$comment', '$defs']);
const KEYWORDS = new Set([
  '$ref', 'type', 'const', 'enum', 'properties', 'required', 'additionalProperties', 'items', 'prefixItems',
  'minItems', 'minLength', 'minimum', 'maximum', 'pattern', 'oneOf', 'anyOf', 'not',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function hasType(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class SchemaValidator {
  private readonly patterns = new Map<string, RegExp>();

  constructor(private readonly root: Schema) {
    this.check(root, '#');
  }

  /** Errors ("<json path>: what"), empty when `value` is valid. */
  validate(value: unknown): string[] {
    const errors: string[] = [];
    this.visit(this.root, value, '$', errors, false);
    return errors;
  }

  /** Throws on keywords outside the subset and on $refs that do not resolve. */
  private check(s: Schema, where: string): void {
    if (typeof s === 'boolean') return;
    for (const [k, v] of Object.entries(s)) {
      if (ANNOTATIONS.has(k)) {
        if (k === '$defs') for (const [name, d] of Object.entries(v as Record<string, Schema>)) this.check(d, `${where}/$defs/${name}`);
        continue;
      }
      if (!KEYWORDS.has(k)) throw new Error(`${where}: keyword "${k}" is not supported by json-schema-subset`);
      if (k === '$ref') this.resolve(v as string);
      if (k === 'properties') for (const [name, d] of Object.entries(v as Record<string, Schema>)) this.check(d, `${where}/properties/${name}`);
      if (k === 'items' || k === 'additionalProperties' || k === 'not') this.check(v as Schema, `${where}/${k}`);
      if (k === 'prefixItems' || k === 'oneOf' || k === 'anyOf') (v as Schema[]).forEach((d, i) => this.check(d, `${where}/${k}/${i}`));
    }
  }

  private resolve(ref: string): Schema {
    const m = /^#\/\$defs\/(.+)$/.exec(ref);
    const defs = (this.root as { $defs?: Record<string, Schema> }).$defs;
    const target = m && defs ? defs[m[1]!] : undefined;
    if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
    return target;
  }

  private regex(p: string): RegExp {
    let r = this.patterns.get(p);
    if (!r) {
      r = new RegExp(p, 'u');
      this.patterns.set(p, r);
    }
    return r;
  }

  /** `quick`: only validity matters (inside oneOf/anyOf/not), so stop at the first error. */
  private visit(s: Schema, v: unknown, path: string, errors: string[], quick: boolean): void {
    if (s === true) return;
    if (s === false) {
      errors.push(`${path}: not allowed`);
      return;
    }
    const fail = (msg: string): void => void errors.push(`${path}: ${msg}`);
    const stop = (): boolean => quick && errors.length > 0;
    if (typeof s.$ref === 'string') this.visit(this.resolve(s.$ref), v, path, errors, quick);
    if (stop()) return;
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => hasType(v, t))) return fail(`expected ${types.join('|')}, got ${typeOf(v)}`);
    }
    if ('const' in s && !deepEqual(v, s.const)) fail(`expected ${JSON.stringify(s.const)}`);
    if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, v))) fail(`${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`);
    if (stop()) return;
    if (typeof v === 'string') {
      if (typeof s.minLength === 'number' && [...v].length < s.minLength) fail(`shorter than ${s.minLength}`);
      if (typeof s.pattern === 'string' && !this.regex(s.pattern).test(v)) fail(`${JSON.stringify(v.slice(0, 40))} does not match ${s.pattern}`);
    }
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) fail(`${v} < minimum ${s.minimum}`);
      if (typeof s.maximum === 'number' && v > s.maximum) fail(`${v} > maximum ${s.maximum}`);
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) fail(`fewer than ${s.minItems} items`);
      const prefix = (s.prefixItems as Schema[] | undefined) ?? [];
      for (let i = 0; i < prefix.length && i < v.length && !stop(); i++) this.visit(prefix[i]!, v[i], `${path}[${i}]`, errors, quick);
      if (s.items !== undefined) for (let i = prefix.length; i < v.length && !stop(); i++) this.visit(s.items as Schema, v[i], `${path}[${i}]`, errors, quick);
    }
    if (stop()) return;
    if (typeOf(v) === 'object') {
      const o = v as Record<string, unknown>;
      const props = (s.properties as Record<string, Schema> | undefined) ?? {};
      for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) fail(`missing "${r}"`);
      for (const [k, x] of Object.entries(o)) {
        if (stop()) return;
        if (k in props) this.visit(props[k]!, x, `${path}.${k}`, errors, quick);
        else if (s.additionalProperties !== undefined) this.visit(s.additionalProperties as Schema, x, `${path}.${k}`, errors, quick);
      }
    }
    if (stop()) return;
    if (Array.isArray(s.oneOf)) {
      const valid = (s.oneOf as Schema[]).filter((o) => this.accepts(o, v, path));
      if (valid.length !== 1) {
        if (valid.length > 1 || quick) fail(`matches ${valid.length} of oneOf, expected exactly 1`);
        else {
          // Explain with the full errors of the branch that got furthest.
          const detailed = (s.oneOf as Schema[]).map((o) => {
            const e: string[] = [];
            this.visit(o, v, path, e, false);
            return e;
          });
          const best = detailed.reduce((a, b) => (b.length < a.length ? b : a));
          fail(`matches none of oneOf (closest: ${best.slice(0, 3).join('; ')})`);
        }
      }
    }
    if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some((o) => this.accepts(o, v, path))) fail('matches none of anyOf');
    if (s.not !== undefined && this.accepts(s.not as Schema, v, path)) fail('matches a "not" schema');
  }

  private accepts(s: Schema, v: unknown, path: string): boolean {
    const e: string[] = [];
    this.visit(s, v, path, e, true);
    return e.length === 0;
  }
}
