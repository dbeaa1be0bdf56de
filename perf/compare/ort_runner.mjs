// ONNX Runtime (CPU) kept resident for compare.py: one JSON request per stdin line, one JSON reply per stdout line.
//   {"cmd": "load", "model": "m.onnx", "threads": T}                  -> {"ok": true, "version": "..."}
//   {"cmd": "run", "input": "x.f32", "shape": [B,3,H,W], "output": "y.f32"}  -> {"ok": true, "shape": [B, K]}
//   {"cmd": "bench", "input": "x.f32", "shape": [...], "warmup": W, "iterations": N}  -> {"ok": true, "times_ms": [...]}
// Tensors travel as raw little-endian float32 files (compare.py writes and reads them with numpy).
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import ort from "onnxruntime-node";

let session = null;

function readTensor(path, shape) {
  const bytes = readFileSync(path);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new ort.Tensor("float32", data, shape);
}

async function forward(feeds) {
  const out = await session.run(feeds);
  return out[session.outputNames[0]];
}

const handlers = {
  async load({ model, threads }) {
    if (session) await session.release();
    // Same thread budget as the others: T threads inside an operator, operators one after another.
    session = await ort.InferenceSession.create(model, {
      executionProviders: ["cpu"],
      graphOptimizationLevel: "all",
      executionMode: "sequential",
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    });
    return { version: ort.env.versions.node };
  },
  async run({ input, shape, output }) {
    const y = await forward({ [session.inputNames[0]]: readTensor(input, shape) });
    writeFileSync(output, Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
    return { shape: y.dims };
  },
  async bench({ input, shape, warmup, iterations }) {
    const feeds = { [session.inputNames[0]]: readTensor(input, shape) };
    for (let i = 0; i < warmup; i++) await forward(feeds);
    const times_ms = [];
    for (let i = 0; i < iterations; i++) {
      const start = process.hrtime.bigint();
      await forward(feeds);
      times_ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return { times_ms };
  },
};

// Requests are handled strictly one at a time so that nothing overlaps a timed run.
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const request = JSON.parse(line);
  let reply;
  try {
    reply = { ok: true, ...(await handlers[request.cmd](request)) };
  } catch (e) {
    reply = { ok: false, error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}
if (session) await session.release();
