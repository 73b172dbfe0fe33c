// Hrana `execute SELECT 1` throughput over WebSocket and over the HTTP pipeline, against one running
// Sluice, from one driver process, in the same run, so that the ratio is what matters:
//
//   node bench/ws-vs-http.mjs [base-url] [seconds] [connections] [per-call|persistent] [slices]
//                                                     (default http://127.0.0.1:8080 10 32 per-call 5)
//
// Each side runs `seconds` in all, in `slices` slices alternating HTTP and WebSocket, so that a change in
// the machine's load (it is shared) weighs on both sides alike (ABBA: neither side always runs first).
//
// HTTP: `connections` keep-alive connections, each looping POST /v2/pipeline [execute SELECT 1, close]
// (a stream per request, what @libsql/client sends for client.execute()).
// WebSocket: `connections` sockets (hrana3), each looping one call at a time (as HTTP):
//   per-call    open_stream + execute SELECT 1 + close_stream sent together, as @libsql/client does for
//               client.execute() over ws:// (a stream per call);
//   persistent  one stream per socket kept open, an `execute SELECT 1` per call (a stream that only
//               reads holds no backend connection; one that did would keep it: start the server with
//               DB_MAX_CONNECTIONS above `connections` to compare with a build where reads lease one).
// Every answer is checked; an error stops the run. SLUICE_AUTH_TOKEN is used when set. SLUICE_PID (the
// server's process id, on this machine) adds the server's CPU time and its read and write system calls per
// request on each side: this one Node process uses a whole core on either side of a 2-core machine, so the
// rates are partly its own, and the server's CPU per request is what the transport costs the server.
// Needs the `ws` package: run `npm ci` in compat/ first.
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "compat", "package.json"));
const WebSocket = require("ws");

const base = process.argv[2] || "http://127.0.0.1:8080";
const seconds = Number(process.argv[3] || 10);
const connections = Number(process.argv[4] || 32);
const mode = process.argv[5] || "per-call";
const slices = Number(process.argv[6] || 5);
const token = process.env.SLUICE_AUTH_TOKEN || null;
const target = new URL(base);
// the server's process id (SLUICE_PID): its CPU time (user + system, all threads) per request on each side
// as well, which does not depend on how fast this one Node process can drive it, and its read and write
// system calls per request
const serverPid = process.env.SLUICE_PID || null;
const ticksPerSecond = Number(process.env.CLK_TCK || 100);
function serverCounters() {
  if (!serverPid) return { cpu: 0, reads: 0, writes: 0 };
  // the fields after the command's closing parenthesis: utime and stime are the 12th and 13th
  const fields = fs.readFileSync(`/proc/${serverPid}/stat`, "utf8").split(") ")[1].split(" ");
  // the read and write system calls, all threads: how many socket reads and writes a request costs
  const io = Object.fromEntries(
    fs.readFileSync(`/proc/${serverPid}/io`, "utf8").trim().split("\n").map((l) => l.split(": ")),
  );
  return {
    cpu: ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond,
    reads: Number(io.syscr),
    writes: Number(io.syscw),
  };
}

// kept across runs: the keep-alive connections are opened once, by the warm-up
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

async function runHttp(secs) {
  const body = JSON.stringify({ requests: [{ type: "execute", stmt: { sql: "SELECT 1" } }, { type: "close" }] });
  const headers = { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) };
  if (token) headers.Authorization = `Bearer ${token}`;
  let done = 0;
  const deadline = Date.now() + secs * 1000;
  const one = () =>
    new Promise((resolve, reject) => {
      const req = http.request(
        { host: target.hostname, port: target.port, path: "/v2/pipeline", method: "POST", agent, headers },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString();
            if (res.statusCode !== 200 || text.includes('"type":"error"')) reject(new Error(`HTTP ${res.statusCode}: ${text}`));
            else resolve();
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const loop = async () => {
    while (Date.now() < deadline) {
      await one();
      done++;
    }
  };
  const start = Date.now();
  await Promise.all(Array.from({ length: connections }, loop));
  return { done, millis: Date.now() - start };
}

function openSocket() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base.replace(/^http/, "ws"), ["hrana3"]);
    const waiting = new Map();
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.type === "hello_ok") return;
      const w = waiting.get(msg.request_id);
      waiting.delete(msg.request_id);
      if (msg.type === "response_ok") w.resolve(msg.response);
      else w.reject(new Error(JSON.stringify(msg)));
    });
    ws.on("error", reject);
    ws.on("close", (code, reason) => {
      for (const w of waiting.values()) w.reject(new Error(`closed ${code} ${reason}`));
    });
    let nextId = 0;
    const call = (request) =>
      new Promise((res, rej) => {
        const id = nextId++;
        waiting.set(id, { resolve: res, reject: rej });
        ws.send(JSON.stringify({ type: "request", request_id: id, request }));
      });
    ws.on("open", async () => {
      ws.send(JSON.stringify({ type: "hello", jwt: token }));
      try {
        if (mode === "persistent") await call({ type: "open_stream", stream_id: 1 });
        resolve({ ws, call });
      } catch (e) {
        reject(e);
      }
    });
  });
}

async function runWebSocket(secs) {
  const sockets = await Promise.all(Array.from({ length: connections }, openSocket));
  const request = { type: "execute", stream_id: 1, stmt: { sql: "SELECT 1" } };
  const open = { type: "open_stream", stream_id: 1 };
  const close = { type: "close_stream", stream_id: 1 };
  let done = 0;
  const deadline = Date.now() + secs * 1000;
  const start = Date.now();
  await Promise.all(
    sockets.map(async ({ call }) => {
      while (Date.now() < deadline) {
        let r;
        if (mode === "persistent") {
          r = await call(request);
        } else {
          const answers = [call(open), call(request), call(close)];
          r = (await Promise.all(answers))[1];
        }
        if (r.result.rows[0][0].value !== "1") throw new Error(JSON.stringify(r));
        done++;
      }
    }),
  );
  const millis = Date.now() - start;
  sockets.forEach(({ ws }) => ws.close());
  return { done, millis };
}

// warm-up of both paths (JIT, pools), then the measured runs
const warm = Math.max(2, Math.round(seconds / 3));
process.stdout.write(`warming up ${warm} s each, then ${seconds} s each in ${slices} alternating slices\n`);
await runHttp(warm);
await runWebSocket(warm);
const total = {
  http: { done: 0, millis: 0, cpu: 0, reads: 0, writes: 0 },
  ws: { done: 0, millis: 0, cpu: 0, reads: 0, writes: 0 },
};
for (let i = 0; i < slices; i++) {
  const order = [["http", runHttp], ["ws", runWebSocket]];
  // ABBA: neither side always runs first
  for (const [side, run] of i % 2 === 0 ? order : order.reverse()) {
    const before = serverCounters();
    const r = await run(seconds / slices);
    const after = serverCounters();
    for (const k of ["cpu", "reads", "writes"]) total[side][k] += after[k] - before[k];
    total[side].done += r.done;
    total[side].millis += r.millis;
  }
}
agent.destroy();
const httpRate = total.http.done / (total.http.millis / 1000);
const wsRate = total.ws.done / (total.ws.millis / 1000);
console.log(`connections            ${connections} (WebSocket mode ${mode})`);
console.log(`HTTP pipeline          ${httpRate.toFixed(0)} req/s`);
console.log(`WebSocket              ${wsRate.toFixed(0)} req/s`);
if (serverPid) {
  const perRequest = (side) => (total[side].cpu * 1000) / total[side].done;
  const calls = (side) =>
    `${(total[side].reads / total[side].done).toFixed(2)} reads, ${(total[side].writes / total[side].done).toFixed(2)} writes`;
  console.log(`server CPU per request HTTP ${perRequest("http").toFixed(1)} us, WebSocket ${perRequest("ws").toFixed(1)} us`);
  console.log(`server system calls per request HTTP ${calls("http")}, WebSocket ${calls("ws")}`);
  console.log(`server CPU ratio HTTP/WebSocket (above 1: a WebSocket call costs the server less) ${(perRequest("http") / perRequest("ws")).toFixed(2)}`);
}
console.log(`ratio WebSocket/HTTP   ${(wsRate / httpRate).toFixed(2)}`);
