// Compatibility suite: the official libSQL clients, unmodified, against a running Sluice.
//
//   SLUICE_URL=http://127.0.0.1:8080 [SLUICE_AUTH_TOKEN=<jwt>] node --test clients.test.mjs
//
// Every test uses its own tables (suffixed with a per-run id), so the suite can run again and again
// against the same database. Client-side quirks that are not Sluice's business are written down where a
// test depends on them; the wire-level behaviour each test relies on is named in its title.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import { createClient as createLibsqlClient, LibsqlError } from "@libsql/client";
import {
  createClient as createCompatClient,
  LibsqlError as CompatLibsqlError,
} from "@tursodatabase/serverless/compat";
import { connect } from "@tursodatabase/serverless";

const url = process.env.SLUICE_URL || "http://127.0.0.1:8080";
const authToken = process.env.SLUICE_AUTH_TOKEN || undefined;
const runId = randomBytes(4).toString("hex");
const TEST_TIMEOUT = 30_000;
const BEYOND_2_53 = 9007199254740993n; // 2^53 + 1: not representable as a JS number
const UNICODE = "héllo wörld ✓ — 中文 — emoji 😀🚀 — combining e\u0301";

let tableCounter = 0;
const createdTables = [];

/** A fresh table name, unique per run and per call. */
function table(prefix) {
  const name = `compat_${prefix}_${runId}_${tableCounter++}`;
  createdTables.push(name);
  return name;
}

/**
 * The client flavours under test. Both expose the `@libsql/client` API; they differ in what they put on
 * the wire (v2 pipeline vs v3 cursor) and in a few client-side decodings described here.
 */
const flavours = [
  {
    name: "@libsql/client",
    make: (extra = {}) => createLibsqlClient({ url, authToken, ...extra }),
    ErrorClass: LibsqlError,
    // Blob cells are ArrayBuffers; JS numbers are sent as `float`.
    blobIsArrayBuffer: true,
    numberArgType: "real",
    exactLastInsertRowid: true,
  },
  {
    name: "@tursodatabase/serverless/compat",
    make: () => createCompatClient({ url, authToken }),
    ErrorClass: CompatLibsqlError,
    // Blob cells are Node Buffers; safe-integer numbers are sent as `integer`. The client parses
    // last_insert_rowid with parseInt, so rowids beyond 2^53 cannot be checked through it.
    blobIsArrayBuffer: false,
    numberArgType: "integer",
    exactLastInsertRowid: false,
  },
];

/** An independent client used to look at committed state from outside a transaction. */
function observer() {
  return createLibsqlClient({ url, authToken });
}

async function withClient(flavour, fn, extra) {
  const client = flavour.make(extra);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

async function countRows(tbl, where = "1 = 1") {
  const obs = observer();
  try {
    const rs = await obs.execute(`SELECT count(*) AS n FROM ${tbl} WHERE ${where}`);
    return Number(rs.rows[0].n);
  } finally {
    obs.close();
  }
}

async function createTable(tbl, columns) {
  const obs = observer();
  try {
    await obs.execute(`CREATE TABLE ${tbl} (${columns})`);
  } finally {
    obs.close();
  }
}

async function tableExists(tbl) {
  const obs = observer();
  try {
    const rs = await obs.execute({
      sql: "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
      args: [tbl],
    });
    return Number(rs.rows[0].n) === 1;
  } finally {
    obs.close();
  }
}

/** The bytes of a blob cell, asserting the client-specific container type. */
function blobBytes(flavour, value) {
  assert.notEqual(value, null, "blob cell must not be null");
  if (flavour.blobIsArrayBuffer) {
    assert.ok(value instanceof ArrayBuffer, `expected ArrayBuffer, got ${Object.prototype.toString.call(value)}`);
    return new Uint8Array(value);
  }
  assert.ok(value instanceof Uint8Array, `expected Uint8Array/Buffer, got ${Object.prototype.toString.call(value)}`);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** Asserts that `promise` rejects with the flavour's LibsqlError and returns the error. */
async function expectLibsqlError(flavour, promise) {
  let caught;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, "expected the call to fail");
  assert.ok(caught instanceof flavour.ErrorClass, `expected ${flavour.name} LibsqlError, got ${caught?.constructor?.name}: ${caught?.message}`);
  assert.equal(typeof caught.code, "string");
  assert.ok(caught.message.length > 0);
  return caught;
}

/** Polls `fn` until it returns true or the deadline passes. */
async function eventually(fn, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const flavour of flavours) {
  describe(flavour.name, { timeout: 120_000 }, () => {
    describe("execute", () => {
      test("round-trips every value type through a table, with columns, decltypes and rowid", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("types");
        await createTable(tbl, "id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, n");
        await withClient(flavour, async (c) => {
          const blob = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
          const ins = await c.execute({
            sql: `INSERT INTO ${tbl} (i, r, t, b, n) VALUES (?, ?, ?, ?, ?)`,
            args: [42, 2.5, UNICODE, blob, null],
          });
          assert.equal(ins.rowsAffected, 1);
          assert.equal(ins.lastInsertRowid, 1n);
          assert.deepEqual(ins.columns, []);
          assert.deepEqual(ins.rows, []);

          const rs = await c.execute(`SELECT id, i, r, t, b, n, typeof(n) AS tn, i + 1 AS expr FROM ${tbl}`);
          assert.deepEqual(rs.columns, ["id", "i", "r", "t", "b", "n", "tn", "expr"]);
          assert.deepEqual(rs.columnTypes, ["INTEGER", "INTEGER", "REAL", "TEXT", "BLOB", "", "", ""]);
          assert.equal(rs.rows.length, 1);
          const row = rs.rows[0];
          assert.equal(row.id, 1);
          assert.equal(row.i, 42);
          assert.equal(row.r, 2.5);
          assert.equal(row.t, UNICODE);
          assert.deepEqual([...blobBytes(flavour, row.b)], [...blob]);
          assert.equal(row.n, null);
          assert.equal(row.tn, "null");
          assert.equal(row.expr, 43);
          assert.equal(rs.rowsAffected, 0);
        });
      });

      test("executes a statement without arguments", { timeout: TEST_TIMEOUT }, async () => {
        await withClient(flavour, async (c) => {
          const rs = await c.execute("SELECT 1 AS one, 'two' AS two, NULL AS three, -7 AS neg");
          assert.deepEqual(rs.columns, ["one", "two", "three", "neg"]);
          assert.deepEqual(rs.columnTypes, ["", "", "", ""]);
          assert.equal(rs.rows.length, 1);
          assert.equal(rs.rows[0].one, 1);
          assert.equal(rs.rows[0].two, "two");
          assert.equal(rs.rows[0].three, null);
          assert.equal(rs.rows[0].neg, -7);
        });
      });

      test("binds positional arguments in order, including ?NNN", { timeout: TEST_TIMEOUT }, async () => {
        await withClient(flavour, async (c) => {
          const rs = await c.execute({ sql: "SELECT ? AS a, ? AS b, ? AS c", args: ["x", "y", "z"] });
          assert.deepEqual([rs.rows[0].a, rs.rows[0].b, rs.rows[0].c], ["x", "y", "z"]);
          const num = await c.execute({ sql: "SELECT ?2 AS a, ?1 AS b, ?2 AS c", args: ["first", "second"] });
          assert.deepEqual([num.rows[0].a, num.rows[0].b, num.rows[0].c], ["second", "first", "second"]);
        });
      });

      // The compat client sends a named-args object as positional values in key order, so every
      // object below lists its keys in parameter order; the server must bind them to :/@/$ params.
      test("binds named arguments written with :, @ and $", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("named");
        await createTable(tbl, "id INTEGER PRIMARY KEY, a TEXT, b TEXT, c TEXT");
        await withClient(flavour, async (c) => {
          const ins = await c.execute({
            sql: `INSERT INTO ${tbl} (a, b, c) VALUES (:a, @b, $c)`,
            args: { a: "colon", b: "at", c: "dollar" },
          });
          assert.equal(ins.rowsAffected, 1);
          const rs = await c.execute({ sql: `SELECT a, b, c FROM ${tbl} WHERE a = :a`, args: { a: "colon" } });
          assert.equal(rs.rows.length, 1);
          assert.deepEqual([rs.rows[0].a, rs.rows[0].b, rs.rows[0].c], ["colon", "at", "dollar"]);

          const twice = await c.execute({ sql: "SELECT :x || '-' || :x AS y", args: { x: "v" } });
          assert.equal(twice.rows[0].y, "v-v");
        });
      });

      test("binds named arguments whose keys carry the prefix", { timeout: TEST_TIMEOUT }, async () => {
        await withClient(flavour, async (c) => {
          const rs = await c.execute({
            sql: "SELECT :a AS a, @b AS b, $c AS c",
            args: { ":a": "one", "@b": "two", $c: "three" },
          });
          assert.deepEqual([rs.rows[0].a, rs.rows[0].b, rs.rows[0].c], ["one", "two", "three"]);
        });
      });

      test("reports rowsAffected for UPDATE and DELETE", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("affected");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v INTEGER");
        await withClient(flavour, async (c) => {
          await c.executeMultiple(
            `INSERT INTO ${tbl} (v) VALUES (1); INSERT INTO ${tbl} (v) VALUES (1); INSERT INTO ${tbl} (v) VALUES (2);`,
          );
          const up = await c.execute({ sql: `UPDATE ${tbl} SET v = v + 10 WHERE v = ?`, args: [1] });
          assert.equal(up.rowsAffected, 2);
          const del = await c.execute(`DELETE FROM ${tbl}`);
          assert.equal(del.rowsAffected, 3);
          const none = await c.execute(`DELETE FROM ${tbl}`);
          assert.equal(none.rowsAffected, 0);
        });
      });

      test("returns lastInsertRowid as a bigint, tracking explicit rowids", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("rowid");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
        await withClient(flavour, async (c) => {
          const a = await c.execute({ sql: `INSERT INTO ${tbl} (id, v) VALUES (?, ?)`, args: [1000n, "a"] });
          assert.equal(typeof a.lastInsertRowid, "bigint");
          assert.equal(a.lastInsertRowid, 1000n);
          const b = await c.execute({ sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: ["b"] });
          assert.equal(b.lastInsertRowid, 1001n);
          if (flavour.exactLastInsertRowid) {
            const big = await c.execute({ sql: `INSERT INTO ${tbl} (id, v) VALUES (?, ?)`, args: [BEYOND_2_53, "big"] });
            assert.equal(big.lastInsertRowid, BEYOND_2_53);
          }
        });
      });

      test("returns INSERT ... RETURNING rows together with rowsAffected", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("returning");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
        await withClient(flavour, async (c) => {
          const rs = await c.execute({ sql: `INSERT INTO ${tbl} (v) VALUES (?) RETURNING id, v`, args: ["r"] });
          assert.deepEqual(rs.columns, ["id", "v"]);
          assert.deepEqual(rs.columnTypes, ["INTEGER", "TEXT"]);
          assert.equal(rs.rows.length, 1);
          assert.equal(rs.rows[0].id, 1);
          assert.equal(rs.rows[0].v, "r");
          assert.equal(rs.rowsAffected, 1);
          assert.equal(await countRows(tbl), 1);
        });
      });

      test(`binds a JS number the way the client encodes it (as ${flavour.numberArgType})`, { timeout: TEST_TIMEOUT }, async () => {
        await withClient(flavour, async (c) => {
          const rs = await c.execute({ sql: "SELECT typeof(?) AS t1, typeof(?) AS t2, typeof(?) AS t3", args: [1, 2.5, 7n] });
          assert.equal(rs.rows[0].t1, flavour.numberArgType);
          assert.equal(rs.rows[0].t2, "real");
          assert.equal(rs.rows[0].t3, "integer");
        });
      });

      test("returns floats as floats, including integral REAL values", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("floats");
        await createTable(tbl, "id INTEGER PRIMARY KEY, r REAL");
        await withClient(flavour, async (c) => {
          await c.execute({ sql: `INSERT INTO ${tbl} (id, r) VALUES (1, ?)`, args: [3.0] });
          await c.execute({ sql: `INSERT INTO ${tbl} (id, r) VALUES (2, ?)`, args: [-0.125] });
          await c.execute({ sql: `INSERT INTO ${tbl} (id, r) VALUES (3, ?)`, args: [1e300] });
          const rs = await c.execute(`SELECT r, typeof(r) AS t FROM ${tbl} ORDER BY id`);
          assert.deepEqual(rs.rows.map((r) => r.r), [3, -0.125, 1e300]);
          assert.deepEqual(rs.rows.map((r) => r.t), ["real", "real", "real"]);
          const lit = await c.execute("SELECT 1.0 AS a, 0.1 + 0.2 AS b, 1.5e-10 AS c");
          assert.equal(lit.rows[0].a, 1);
          assert.equal(lit.rows[0].b, 0.1 + 0.2);
          assert.equal(lit.rows[0].c, 1.5e-10);
        });
      });

      test("round-trips unicode text byte-exactly", { timeout: TEST_TIMEOUT }, async () => {
        await withClient(flavour, async (c) => {
          const rs = await c.execute({ sql: "SELECT ? AS t, length(?) AS chars, length(CAST(? AS BLOB)) AS bytes", args: [UNICODE, UNICODE, UNICODE] });
          assert.equal(rs.rows[0].t, UNICODE);
          assert.equal(rs.rows[0].chars, [...UNICODE].length);
          assert.equal(rs.rows[0].bytes, Buffer.byteLength(UNICODE, "utf8"));
          const lit = await c.execute("SELECT 'ünïcödé ✓ 😀' AS t");
          assert.equal(lit.rows[0].t, "ünïcödé ✓ 😀");
        });
      });

      test("keeps a zero-length blob a blob, not NULL", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("emptyblob");
        await createTable(tbl, "id INTEGER PRIMARY KEY, b BLOB");
        await withClient(flavour, async (c) => {
          await c.execute({ sql: `INSERT INTO ${tbl} (id, b) VALUES (1, ?)`, args: [new Uint8Array(0)] });
          const rs = await c.execute(`SELECT b, typeof(b) AS t, length(b) AS len, x'' AS lit FROM ${tbl}`);
          assert.equal(rs.rows[0].t, "blob");
          assert.equal(rs.rows[0].len, 0);
          assert.equal(blobBytes(flavour, rs.rows[0].b).length, 0);
          assert.equal(blobBytes(flavour, rs.rows[0].lit).length, 0);
        });
      });

      test("round-trips a 64 KiB random blob", { timeout: TEST_TIMEOUT }, async () => {
        await withClient(flavour, async (c) => {
          const bytes = new Uint8Array(randomBytes(65536));
          const rs = await c.execute({ sql: "SELECT ? AS b, hex(?) AS h", args: [bytes, bytes] });
          assert.deepEqual(Buffer.from(blobBytes(flavour, rs.rows[0].b)), Buffer.from(bytes));
          assert.equal(rs.rows[0].h, Buffer.from(bytes).toString("hex").toUpperCase());
        });
      });

      test("binds and returns NULL", { timeout: TEST_TIMEOUT }, async () => {
        await withClient(flavour, async (c) => {
          const rs = await c.execute({ sql: "SELECT ? AS n, typeof(?) AS t", args: [null, null] });
          assert.equal(rs.rows[0].n, null);
          assert.equal(rs.rows[0].t, "null");
        });
      });

      test("returns a result of 5000 rows completely and in order", { timeout: TEST_TIMEOUT }, async () => {
        await withClient(flavour, async (c) => {
          const rs = await c.execute(
            "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 5000) SELECT x, 'row ' || x AS label FROM s",
          );
          assert.equal(rs.rows.length, 5000);
          assert.equal(rs.rows[0].x, 1);
          assert.equal(rs.rows[4999].x, 5000);
          assert.equal(rs.rows[4999].label, "row 5000");
        });
      });
    });

    describe("batch", () => {
      for (const mode of ["write", "deferred"]) {
        test(`"${mode}" runs all statements atomically and returns one result per statement`, { timeout: TEST_TIMEOUT }, async () => {
          const tbl = table(`batch_${mode}`);
          await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
          await withClient(flavour, async (c) => {
            const results = await c.batch(
              [
                { sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: ["a"] },
                { sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: ["b"] },
                `SELECT count(*) AS n, group_concat(v, ',') AS vs FROM ${tbl}`,
              ],
              mode,
            );
            assert.equal(results.length, 3);
            assert.equal(results[0].rowsAffected, 1);
            assert.equal(results[1].rowsAffected, 1);
            assert.deepEqual(results[2].columns, ["n", "vs"]);
            assert.equal(results[2].rows.length, 1);
            assert.equal(results[2].rows[0].n, 2);
            assert.equal(results[2].rows[0].vs, "a,b");
          });
          assert.equal(await countRows(tbl), 2);
        });

        test(`"${mode}" that fails half-way leaves no partial rows`, { timeout: TEST_TIMEOUT }, async () => {
          const tbl = table(`batchfail_${mode}`);
          await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
          await withClient(flavour, async (c) => {
            await expectLibsqlError(
              flavour,
              c.batch(
                [
                  { sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: ["first"] },
                  `INSERT INTO ${tbl}_missing (v) VALUES ('x')`,
                  { sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: ["third"] },
                ],
                mode,
              ),
            );
            // The same client keeps working after a failed batch.
            const rs = await c.execute(`SELECT count(*) AS n FROM ${tbl}`);
            assert.equal(rs.rows[0].n, 0);
          });
          assert.equal(await countRows(tbl), 0);
        });
      }

      test(`"write" with a constraint violation rolls back and reports SQLITE_CONSTRAINT`, { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("batchconstraint");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT NOT NULL");
        await withClient(flavour, async (c) => {
          const err = await expectLibsqlError(
            flavour,
            c.batch(
              [
                { sql: `INSERT INTO ${tbl} (id, v) VALUES (?, ?)`, args: [1n, "a"] },
                { sql: `INSERT INTO ${tbl} (id, v) VALUES (?, ?)`, args: [1n, "b"] },
              ],
              "write",
            ),
          );
          assert.match(err.code, /^SQLITE_CONSTRAINT/);
        });
        assert.equal(await countRows(tbl), 0);
      });

      test(`"read" returns the rows of every statement`, { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("batchread");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
        await withClient(flavour, async (c) => {
          await c.execute({ sql: `INSERT INTO ${tbl} (id, v) VALUES (1, ?), (2, ?)`, args: ["x", "y"] });
          const results = await c.batch(
            [`SELECT v FROM ${tbl} ORDER BY id`, { sql: `SELECT count(*) AS n FROM ${tbl} WHERE v = ?`, args: ["y"] }],
            "read",
          );
          assert.equal(results.length, 2);
          assert.deepEqual(results[0].columns, ["v"]);
          assert.deepEqual(results[0].columnTypes, ["TEXT"]);
          assert.deepEqual(results[0].rows.map((r) => r.v), ["x", "y"]);
          assert.equal(results[1].rows[0].n, 1);
        });
      });

      test("without a mode argument is still atomic", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("batchdefault");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
        await withClient(flavour, async (c) => {
          await expectLibsqlError(
            flavour,
            c.batch([`INSERT INTO ${tbl} (v) VALUES ('a')`, "SELEC broken"]),
          );
        });
        assert.equal(await countRows(tbl), 0);
      });
    });

    describe("transaction", () => {
      test("commit makes the writes visible, and not before", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("txcommit");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
        await withClient(flavour, async (c) => {
          const tx = await c.transaction("write");
          try {
            const a = await tx.execute({ sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: ["a"] });
            assert.equal(a.rowsAffected, 1);
            assert.equal(a.lastInsertRowid, 1n);
            await tx.execute({ sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: ["b"] });
            const inside = await tx.execute(`SELECT count(*) AS n FROM ${tbl}`);
            assert.equal(inside.rows[0].n, 2, "the transaction sees its own writes");
            assert.equal(await countRows(tbl), 0, "other connections must not see uncommitted rows");
            await tx.commit();
          } finally {
            tx.close();
          }
          assert.equal(tx.closed, true);
        });
        assert.equal(await countRows(tbl), 2);
      });

      test("rollback discards the writes", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("txrollback");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
        await withClient(flavour, async (c) => {
          const tx = await c.transaction("deferred");
          try {
            await tx.execute({ sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: ["gone"] });
            const inside = await tx.execute(`SELECT count(*) AS n FROM ${tbl}`);
            assert.equal(inside.rows[0].n, 1);
            await tx.rollback();
          } finally {
            tx.close();
          }
        });
        assert.equal(await countRows(tbl), 0);
      });

      test("a failed statement does not abort the transaction", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("txfail");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT NOT NULL");
        await withClient(flavour, async (c) => {
          const tx = await c.transaction("write");
          try {
            await tx.execute({ sql: `INSERT INTO ${tbl} (id, v) VALUES (?, ?)`, args: [1n, "one"] });
            await expectLibsqlError(flavour, tx.execute(`INSERT INTO ${tbl}_missing VALUES (1)`));
            const dup = await expectLibsqlError(
              flavour,
              tx.execute({ sql: `INSERT INTO ${tbl} (id, v) VALUES (?, ?)`, args: [1n, "again"] }),
            );
            assert.match(dup.code, /^SQLITE_CONSTRAINT/);
            await tx.execute({ sql: `INSERT INTO ${tbl} (id, v) VALUES (?, ?)`, args: [2n, "two"] });
            await tx.commit();
          } finally {
            tx.close();
          }
        });
        assert.equal(await countRows(tbl), 2);
      });

      test("batch and executeMultiple inside a transaction join it", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("txbatch");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
        await withClient(flavour, async (c) => {
          const tx = await c.transaction("write");
          try {
            const results = await tx.batch([
              { sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: ["b1"] },
              `SELECT count(*) AS n FROM ${tbl}`,
            ]);
            assert.equal(results.length, 2);
            assert.equal(results[1].rows[0].n, 1);
            await tx.executeMultiple(`INSERT INTO ${tbl} (v) VALUES ('m1'); INSERT INTO ${tbl} (v) VALUES ('m2');`);
            assert.equal(await countRows(tbl), 0);
            await tx.rollback();
          } finally {
            tx.close();
          }
        });
        assert.equal(await countRows(tbl), 0);
      });

      test(`"read" transaction reads`, { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("txread");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
        await withClient(flavour, async (c) => {
          await c.execute(`INSERT INTO ${tbl} (v) VALUES ('r')`);
          const tx = await c.transaction("read");
          try {
            const rs = await tx.execute(`SELECT v FROM ${tbl}`);
            assert.deepEqual(rs.rows.map((r) => r.v), ["r"]);
            await tx.commit();
          } finally {
            tx.close();
          }
        });
      });

      test("closing without commit rolls back and releases the write lock", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("txclose");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
        await withClient(flavour, async (c) => {
          const tx = await c.transaction("write");
          await tx.execute(`INSERT INTO ${tbl} (v) VALUES ('abandoned')`);
          tx.close();
          assert.equal(tx.closed, true);
        });
        // Another writer must get through once the abandoned transaction is gone.
        const obs = observer();
        try {
          await obs.execute(`INSERT INTO ${tbl} (v) VALUES ('after')`);
        } finally {
          obs.close();
        }
        assert.ok(await eventually(async () => (await countRows(tbl, "v = 'abandoned'")) === 0));
        assert.equal(await countRows(tbl, "v = 'after'"), 1);
      });

      test("a second write transaction waits for the first instead of failing", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("txwait");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
        const c1 = flavour.make();
        const c2 = flavour.make();
        try {
          const tx1 = await c1.transaction("write");
          await tx1.execute(`INSERT INTO ${tbl} (v) VALUES ('first')`);
          let secondDone = false;
          const second = (async () => {
            const tx2 = await c2.transaction("write");
            try {
              await tx2.execute(`INSERT INTO ${tbl} (v) VALUES ('second')`);
              await tx2.commit();
            } finally {
              tx2.close();
            }
            secondDone = true;
          })();
          second.catch(() => {}); // awaited below; keeps an early failure from being "unhandled"
          await sleep(300);
          assert.equal(secondDone, false, "the second writer must not commit while the first holds the lock");
          await tx1.commit();
          tx1.close();
          await second;
        } finally {
          c1.close();
          c2.close();
        }
        assert.equal(await countRows(tbl), 2);
      });
    });

    describe("executeMultiple", () => {
      test("runs every statement of the script", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("multi");
        await withClient(flavour, async (c) => {
          const ret = await c.executeMultiple(`
            CREATE TABLE ${tbl} (id INTEGER PRIMARY KEY, v TEXT);
            INSERT INTO ${tbl} (v) VALUES ('one');
            -- a comment between statements
            INSERT INTO ${tbl} (v) VALUES ('two; with a semicolon');
          `);
          assert.equal(ret, undefined);
          const rs = await c.execute(`SELECT v FROM ${tbl} ORDER BY id`);
          assert.deepEqual(rs.rows.map((r) => r.v), ["one", "two; with a semicolon"]);
        });
      });

      test("stops at the first failing statement and reports it", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("multifail");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
        await withClient(flavour, async (c) => {
          await expectLibsqlError(
            flavour,
            c.executeMultiple(
              `INSERT INTO ${tbl} (v) VALUES ('before'); INSERT INTO ${tbl}_missing VALUES (1); INSERT INTO ${tbl} (v) VALUES ('after');`,
            ),
          );
        });
        assert.equal(await countRows(tbl, "v = 'before'"), 1);
        assert.equal(await countRows(tbl, "v = 'after'"), 0);
      });
    });

    describe("migrate", () => {
      test("applies schema and data changes atomically", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("migrate");
        await withClient(flavour, async (c) => {
          const results = await c.migrate([
            `CREATE TABLE ${tbl} (id INTEGER PRIMARY KEY, v TEXT)`,
            { sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: ["seed"] },
            `CREATE INDEX ${tbl}_v ON ${tbl} (v)`,
          ]);
          assert.equal(results.length, 3);
          assert.equal(results[1].rowsAffected, 1);
        });
        assert.equal(await countRows(tbl, "v = 'seed'"), 1);
      });

      test("a failing migration leaves no table behind", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("migratefail");
        await withClient(flavour, async (c) => {
          await expectLibsqlError(
            flavour,
            c.migrate([`CREATE TABLE ${tbl} (id INTEGER PRIMARY KEY)`, `INSERT INTO ${tbl}_missing VALUES (1)`]),
          );
        });
        assert.equal(await tableExists(tbl), false);
      });
    });

    describe("errors", () => {
      test("a syntax error is a LibsqlError with a SQL error code", { timeout: TEST_TIMEOUT }, async () => {
        await withClient(flavour, async (c) => {
          const err = await expectLibsqlError(flavour, c.execute("SELEC 1"));
          assert.match(err.code, /^(SQL_PARSE_ERROR|SQLITE_ERROR)$/);
          assert.match(err.message, /syntax|parse/i);
          // The client stays usable after the error.
          const rs = await c.execute("SELECT 1 AS ok");
          assert.equal(rs.rows[0].ok, 1);
        });
      });

      test("a constraint violation reports SQLITE_CONSTRAINT and writes nothing", { timeout: TEST_TIMEOUT }, async () => {
        const tbl = table("constraint");
        await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE");
        await withClient(flavour, async (c) => {
          await c.execute({ sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: ["taken"] });
          const dup = await expectLibsqlError(flavour, c.execute({ sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: ["taken"] }));
          assert.match(dup.code, /^SQLITE_CONSTRAINT/);
          const nul = await expectLibsqlError(flavour, c.execute({ sql: `INSERT INTO ${tbl} (v) VALUES (?)`, args: [null] }));
          assert.match(nul.code, /^SQLITE_CONSTRAINT/);
        });
        assert.equal(await countRows(tbl), 1);
      });

      test("a missing table is an error carrying a code", { timeout: TEST_TIMEOUT }, async () => {
        await withClient(flavour, async (c) => {
          const err = await expectLibsqlError(flavour, c.execute(`SELECT * FROM compat_missing_${runId}`));
          assert.ok(err.code.startsWith("SQL"), `unexpected code ${err.code}`);
          assert.match(err.message, /no such table/i);
        });
      });

      if (authToken) {
        test("a wrong or missing token is rejected", { timeout: TEST_TIMEOUT }, async () => {
          for (const token of ["not-a-jwt", undefined]) {
            const c = flavour.name === "@libsql/client"
              ? createLibsqlClient({ url, authToken: token })
              : createCompatClient({ url, authToken: token });
            try {
              await expectLibsqlError(flavour, c.execute("SELECT 1"));
            } finally {
              c.close();
            }
          }
        });
      }
    });
  });
}

describe("@libsql/client intMode", { timeout: 60_000 }, () => {
  test(`"bigint" returns integers beyond 2^53 exactly and floats as numbers`, { timeout: TEST_TIMEOUT }, async () => {
    const c = createLibsqlClient({ url, authToken, intMode: "bigint" });
    try {
      const rs = await c.execute({
        sql: "SELECT ? AS big, 9223372036854775807 AS max, -9223372036854775808 AS min, 3 AS small, 1.0 AS r, ? AS fromFloat",
        args: [BEYOND_2_53, 4],
      });
      const row = rs.rows[0];
      assert.equal(row.big, BEYOND_2_53);
      assert.equal(row.max, 9223372036854775807n);
      assert.equal(row.min, -9223372036854775808n);
      assert.equal(row.small, 3n);
      assert.equal(row.r, 1, "an integral REAL must come back as a float");
      assert.equal(typeof row.r, "number");
      assert.equal(typeof row.fromFloat, "number", "a JS number is bound as REAL by this client");
    } finally {
      c.close();
    }
  });

  test(`"bigint" round-trips a large integer through an INTEGER column`, { timeout: TEST_TIMEOUT }, async () => {
    const tbl = table("bigint");
    await createTable(tbl, "id INTEGER PRIMARY KEY, v INTEGER");
    const c = createLibsqlClient({ url, authToken, intMode: "bigint" });
    try {
      await c.execute({ sql: `INSERT INTO ${tbl} (id, v) VALUES (?, ?)`, args: [1n, -BEYOND_2_53] });
      const rs = await c.execute(`SELECT v, typeof(v) AS t, v + 1 AS next FROM ${tbl}`);
      assert.equal(rs.rows[0].v, -BEYOND_2_53);
      assert.equal(rs.rows[0].t, "integer");
      assert.equal(rs.rows[0].next, -BEYOND_2_53 + 1n);
    } finally {
      c.close();
    }
  });

  test(`"number" refuses integers beyond 2^53, proving they travel as integers`, { timeout: TEST_TIMEOUT }, async () => {
    const c = createLibsqlClient({ url, authToken });
    try {
      await assert.rejects(c.execute({ sql: "SELECT ? AS big", args: [BEYOND_2_53] }), RangeError);
    } finally {
      c.close();
    }
  });

  test(`"string" returns integers as decimal strings`, { timeout: TEST_TIMEOUT }, async () => {
    const c = createLibsqlClient({ url, authToken, intMode: "string" });
    try {
      const rs = await c.execute({ sql: "SELECT ? AS big, 1.5 AS f", args: [BEYOND_2_53] });
      assert.equal(rs.rows[0].big, BEYOND_2_53.toString());
      assert.equal(rs.rows[0].f, 1.5);
    } finally {
      c.close();
    }
  });
});

describe("@tursodatabase/serverless native API", { timeout: 60_000 }, () => {
  test("prepare() describes columns with their declared types", { timeout: TEST_TIMEOUT }, async () => {
    const tbl = table("describe");
    await createTable(tbl, "id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB");
    const conn = connect({ url, authToken });
    try {
      const sel = await conn.prepare(`SELECT id, name, score, data, 1 + 1 AS two FROM ${tbl} WHERE id = ?`);
      assert.deepEqual(
        sel.columns().map((c) => [c.name, c.type]),
        [["id", "INTEGER"], ["name", "TEXT"], ["score", "REAL"], ["data", "BLOB"], ["two", null]],
      );
      assert.equal(sel.reader, true);
      const ins = await conn.prepare(`INSERT INTO ${tbl} (name) VALUES (?)`);
      assert.equal(ins.reader, false);
      const run = await ins.run(["n1"]);
      assert.equal(run.changes, 1);
      assert.equal(run.lastInsertRowid, 1);
      const row = await sel.get([1]);
      assert.equal(row.name, "n1");
      assert.equal(row.two, 2);
    } finally {
      await conn.close();
    }
  });

  test("named arguments travel as named_args and bind to :, @ and $", { timeout: TEST_TIMEOUT }, async () => {
    const conn = connect({ url, authToken });
    try {
      // Keys deliberately not in parameter order: only true name matching gets this right.
      const rows = await conn.all("SELECT :a AS a, @b AS b, $c AS c", { c: "C", a: "A", b: "B" });
      assert.deepEqual(rows, [{ a: "A", b: "B", c: "C" }]);
    } finally {
      await conn.close();
    }
  });

  test("safeIntegers returns integers beyond 2^53 exactly and REAL as number", { timeout: TEST_TIMEOUT }, async () => {
    const conn = connect({ url, authToken });
    try {
      const stmt = (await conn.prepare("SELECT ? AS big, 2.0 AS r")).safeIntegers();
      const row = await stmt.get([BEYOND_2_53]);
      assert.equal(row.big, BEYOND_2_53);
      assert.equal(typeof row.r, "number");
      assert.equal(row.r, 2);
    } finally {
      await conn.close();
    }
  });

  test("inTransaction follows BEGIN and COMMIT on the connection's stream", { timeout: TEST_TIMEOUT }, async () => {
    const tbl = table("intx");
    await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
    const conn = connect({ url, authToken });
    try {
      assert.equal(conn.inTransaction, false);
      await conn.exec("BEGIN IMMEDIATE");
      assert.equal(conn.inTransaction, true);
      await conn.run(`INSERT INTO ${tbl} (v) VALUES (?)`, ["x"]);
      assert.equal(conn.inTransaction, true, "the is_autocommit probe step must be skipped inside a transaction");
      assert.equal(await countRows(tbl), 0);
      await conn.exec("COMMIT");
      assert.equal(conn.inTransaction, false);
      await conn.run("SELECT 1");
      assert.equal(conn.inTransaction, false, "the is_autocommit probe step must run outside a transaction");
    } finally {
      await conn.close();
    }
    assert.equal(await countRows(tbl), 1);
  });

  test("batch without a mode runs each statement in autocommit", { timeout: TEST_TIMEOUT }, async () => {
    const tbl = table("nativebatch");
    await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
    const conn = connect({ url, authToken });
    try {
      await assert.rejects(
        conn.batch([`INSERT INTO ${tbl} (v) VALUES ('kept')`, `INSERT INTO ${tbl}_missing VALUES (1)`]),
      );
    } finally {
      await conn.close();
    }
    assert.equal(await countRows(tbl, "v = 'kept'"), 1);
  });

  test("transactionAsync commits on success and rolls back on throw", { timeout: TEST_TIMEOUT }, async () => {
    const tbl = table("txasync");
    await createTable(tbl, "id INTEGER PRIMARY KEY, v TEXT");
    const conn = connect({ url, authToken });
    try {
      const ok = conn.transactionAsync(async (tx, v) => {
        await tx.run(`INSERT INTO ${tbl} (v) VALUES (?)`, [v]);
      });
      await ok.immediate("committed");
      const bad = conn.transactionAsync(async (tx) => {
        await tx.run(`INSERT INTO ${tbl} (v) VALUES ('rolled back')`);
        throw new Error("boom");
      });
      // The default variant sends "BEGIN " with a trailing space.
      await assert.rejects(bad(), /boom/);
    } finally {
      await conn.close();
    }
    assert.equal(await countRows(tbl, "v = 'committed'"), 1);
    assert.equal(await countRows(tbl, "v = 'rolled back'"), 0);
  });
});

after(async () => {
  // Best effort: keep a shared database from growing with every run.
  if (createdTables.length === 0) return;
  const obs = observer();
  try {
    await obs.executeMultiple(createdTables.map((t) => `DROP TABLE IF EXISTS ${t};`).join("\n"));
  } catch {
    // A failing cleanup must not hide the real results.
  } finally {
    obs.close();
  }
});
