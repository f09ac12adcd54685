// check.mjs: open a carelake catalog with another DuckDB version (through
// @duckdb/node-api) and check it answers as carelake's own DuckDB does.
//
//   node check.mjs <package dir> <warehouse root> <expected.json>
//
// <package dir> holds node_modules/@duckdb/node-api at the version to try.
// expected.json is what run.sh wrote: the DuckDB version carelake links and,
// for every query of queries.json, the rows it answered there (every value
// as text). The catalog is opened read-only with file_search_path set to the
// warehouse root, as README.md says analysts do.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [pkgDir, root, expectedFile] = process.argv.slice(2).map((p) => resolve(p));
const { DuckDBInstance } = await import(join(pkgDir, 'node_modules/@duckdb/node-api/lib/index.js'));
const expected = JSON.parse(readFileSync(expectedFile, 'utf8'));

const instance = await DuckDBInstance.create(join(root, 'carelake.duckdb'), { access_mode: 'READ_ONLY' });
const conn = await instance.connect();
await conn.run(`SET file_search_path = '${root.replaceAll("'", "''")}'`);
const rows = async (sql) => (await conn.runAndReadAll(sql)).getRows().map((r) => r.map((v) => (v === null ? null : String(v))));

const version = (await rows('SELECT version()'))[0][0];
let failures = 0;
for (const q of expected.queries) {
  let got;
  try {
    got = await rows(q.sql);
  } catch (e) {
    console.log(`FAIL ${version} ${q.name}: ${e.message}`);
    failures++;
    continue;
  }
  if (JSON.stringify(got) !== JSON.stringify(q.rows)) {
    console.log(`FAIL ${version} ${q.name}:\n  got  ${JSON.stringify(got).slice(0, 400)}\n  want ${JSON.stringify(q.rows).slice(0, 400)}`);
    failures++;
  }
}
console.log(`DuckDB ${version} (${pkgDir}): ${expected.queries.length - failures} of ${expected.queries.length} checks as DuckDB ${expected.version} answers them`);
process.exit(failures === 0 ? 0 : 1);
