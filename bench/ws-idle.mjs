// Opens N idle Hrana WebSocket connections (hello, one open stream each) and holds them until killed.
//   node bench/ws-idle.mjs [base-url] [connections]        (default http://127.0.0.1:8080 10000)
// Prints "ready N" once every connection answered its hello and open_stream.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const WebSocket = createRequire(path.join(here, "..", "compat", "package.json"))("ws");
const base = process.argv[2] || "http://127.0.0.1:8080";
const count = Number(process.argv[3] || 10000);
const token = process.env.SLUICE_AUTH_TOKEN || null;

function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base.replace(/^http/, "ws"), ["hrana3"]);
    let answers = 0;
    ws.on("open", () => {
      ws.send(JSON.stringify({ type: "hello", jwt: token }));
      ws.send(JSON.stringify({ type: "request", request_id: 1, request: { type: "open_stream", stream_id: 1 } }));
    });
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.type !== "hello_ok" && msg.type !== "response_ok") reject(new Error(data.toString()));
      if (++answers === 2) resolve(ws);
    });
    ws.on("error", reject);
    ws.on("close", (code) => { if (answers < 2) reject(new Error(`closed ${code}`)); });
  });
}

const sockets = [];
for (let i = 0; i < count; i += 200) {
  const batch = await Promise.all(Array.from({ length: Math.min(200, count - i) }, open));
  sockets.push(...batch);
}
console.log(`ready ${sockets.length}`);
setInterval(() => {}, 1 << 30);
