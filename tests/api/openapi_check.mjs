// Check recorded API responses (JSON lines {method, path, status, body})
// against docs/openapi.yaml: the operation must exist, the status must be
// declared (or be an error with the Error shape), and the body must match
// the declared schema (type, required, properties, items, enum, $ref).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../web/package.json'));
const YAML = require('yaml');

const [specFile, respFile] = process.argv.slice(2);
const spec = YAML.parse(readFileSync(specFile, 'utf8'));

function deref(s) {
  while (s && s.$ref) s = s.$ref.replace(/^#\//, '').split('/').reduce((o, k) => o[k], spec);
  return s;
}

function check(schema, v, where, errs) {
  schema = deref(schema);
  if (!schema || Object.keys(schema).length === 0) return;
  if (v === null && schema.nullable) return;
  if (schema.oneOf) {
    if (!schema.oneOf.some((s) => { const e = []; check(s, v, where, e); return !e.length; })) errs.push(where + ': matches no oneOf');
    return;
  }
  const t = schema.type;
  const type = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
  if (t === 'integer') { if (!Number.isInteger(v)) errs.push(where + ': want integer, got ' + JSON.stringify(v)); }
  else if (t === 'number') { if (type !== 'number') errs.push(where + ': want number'); }
  else if (t && t !== type) { errs.push(where + ': want ' + t + ', got ' + type); return; }
  if (schema.enum && !schema.enum.includes(v)) errs.push(where + ': ' + JSON.stringify(v) + ' not in enum');
  if (type === 'object') {
    for (const k of schema.required || []) if (!(k in v)) errs.push(where + ': missing ' + k);
    for (const [k, s] of Object.entries(schema.properties || {})) if (k in v) check(s, v[k], where + '.' + k, errs);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
      for (const [k, x] of Object.entries(v)) if (!(schema.properties || {})[k]) check(schema.additionalProperties, x, where + '.' + k, errs);
  }
  if (type === 'array' && schema.items) v.forEach((x, i) => check(schema.items, x, where + '[' + i + ']', errs));
}

const ops = Object.entries(spec.paths).map(([p, item]) => ({
  re: new RegExp('^' + p.replace(/\{[^}]+\}/g, '[^/]+') + '$'), p, item,
}));
let n = 0;
const errs = [];
for (const line of readFileSync(respFile, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const r = JSON.parse(line);
  const p = r.path.split('?')[0];
  const op = ops.find((o) => o.re.test(p));
  const m = r.method.toLowerCase();
  if (!op || !op.item[m]) { if (r.status !== 404 && r.status !== 405) errs.push(`${r.method} ${p}: not in the spec`); continue; }
  if (r.status === 0 || r.body === null) continue;
  n++;
  const declared = op.item[m].responses[String(r.status)];
  const where = `${r.method} ${p} ${r.status}`;
  if (!declared) {
    if (r.status >= 400) check({ $ref: '#/components/schemas/Error' }, r.body, where, errs);
    else errs.push(where + ': status not declared');
    continue;
  }
  const d = deref(declared);
  const schema = d.content && d.content['application/json'] && d.content['application/json'].schema;
  if (schema) check(schema, r.body, where, errs);
}
if (errs.length) { console.error([...new Set(errs)].slice(0, 20).join('\n')); process.exit(1); }
console.log(n + ' responses checked');
