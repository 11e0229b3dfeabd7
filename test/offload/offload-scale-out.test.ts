/**
 * Scale-out as users run it: two `tinyedge offload serve` processes behind Debian's nginx (stream module, round
 * robin over connections), four devices sending frames through nginx. Frames reach both servers (their printed
 * metrics); one server is killed mid-run; the devices on it finish their frames locally, reconnect through nginx to
 * the other, and no frame is lost: every one answered, equal to local inference. Skipped only outside CI when nginx
 * is not installed (.ci/run installs it; under CI=true a missing nginx fails).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WasmPart, wasmSplitParts } from '../../compiler/backends/wasm/package/split-parts.ts';
import { loadOffloadModel, type OffloadModel } from '../../compiler/cli/offload-model.ts';
import { tensorOf } from '../../compiler/ir/graph.ts';
import { tupleOf } from '../../compiler/ir/tuple.ts';
import { quantizeForTensor } from '../../compiler/quantize/prepare/quant-params.ts';
import type { Activations } from '../../compiler/reference/integer/conv.ts';
import { runInteger } from '../../compiler/reference/integer/interpreter.ts';
import { MCU_MODEL } from '../../models/registry.ts';
import { type DeviceAnswer, OffloadDevice } from '../../runtime/offload/device-client.ts';
import { type RawValues, TinyedgeModel } from '../../runtime/wasm/tinyedge-loader.js';
import { firstDifference } from '../support/c-build.ts';
import { type EdgeProcess, startEdgeProcess } from '../support/edge-process.ts';
import { type Balancer, NGINX_AVAILABLE, startBalancer } from '../support/nginx-balancer.ts';
import { photoInput, SAMPLE_PHOTOS } from '../support/samples.ts';

const CUT = 5;
const DEVICES = 4;
const SKIP = !NGINX_AVAILABLE && process.env.CI !== 'true';
if (SKIP)
  console.warn(
    'skipping the nginx scale-out test: nginx with libnginx-mod-stream is not installed (apt-get install nginx libnginx-mod-stream)',
  );

let m: OffloadModel;
let inputs: Activations[];
let expected: Activations[];
const servers: EdgeProcess[] = [];
let balancer: Balancer | undefined;

beforeAll(async () => {
  if (SKIP) return;
  expect(NGINX_AVAILABLE, 'nginx and its stream module (apt-get install nginx libnginx-mod-stream)').toBe(true);
  const serve = () =>
    startEdgeProcess([MCU_MODEL, '--cut', String(CUT), '--port', '0', '--workers', '1', '--metrics-every', '100ms']);
  const [a, b, model] = await Promise.all([serve(), serve(), loadOffloadModel(MCU_MODEL, true)]);
  servers.push(a, b);
  m = model;
  const g = m.g;
  inputs = await Promise.all(
    SAMPLE_PHOTOS.map(async (f) => quantizeForTensor(await photoInput(m.model, f), tensorOf(g, g.inputs[0]!))),
  );
  expected = inputs.map((x) => runInteger(g, { [g.inputs[0]!]: x }).get(g.outputs[0]!) as Activations);
  balancer = await startBalancer(servers.map((s) => s.port));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  await balancer?.stop();
});

async function device(port: number): Promise<OffloadDevice> {
  const { head, tail } = wasmSplitParts(m.g, m.cuts[CUT]!);
  const load = (p: WasmPart | undefined) =>
    TinyedgeModel.load<RawValues, RawValues>((p as WasmPart).bytes, (p as WasmPart).info);
  return new OffloadDevice({
    host: '127.0.0.1',
    port,
    modelHash: m.hash,
    cutId: CUT,
    head: await load(head),
    tail: await load(tail),
    timeoutMs: 5000,
    backoffMs: { min: 20, max: 200 },
  });
}

/** Waits until `ready()` holds, polling, or fails after `ms`. */
async function until(ready: () => boolean, ms: number, what: string): Promise<void> {
  for (const end = Date.now() + ms; !ready(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
  }
}

describe.skipIf(SKIP)('edge servers behind nginx', () => {
  it('frames spread over both servers; one killed mid-run; every frame answered, equal to local', async () => {
    const [a, b] = tupleOf(servers, 2);
    expect([a.hash, b.hash]).toEqual([m.hash, m.hash]);
    const devices = await Promise.all(Array.from({ length: DEVICES }, () => device((balancer as Balancer).port)));
    const answers: { a: DeviceAnswer; i: number; afterKill: boolean }[] = [];
    let killed = false;
    let done = false;
    // Each device sends frames one after another until told to stop (bounded by a frame count).
    const loops = devices.map(async (d, k) => {
      for (let f = 0; !done && f < 5000; f++) {
        const i = (k + f) % inputs.length;
        const afterKill = killed;
        answers.push({ a: await d.infer(inputs[i]!), i, afterKill });
      }
      d.close();
    });
    try {
      await until(
        () => (a.metrics()?.answered ?? 0) >= 10 && (b.metrics()?.answered ?? 0) >= 10,
        60_000,
        'both servers answered 10 frames',
      );
      const before = { a: a.metrics()?.answered ?? 0, b: b.metrics()?.answered ?? 0 };
      await a.stop('SIGKILL');
      killed = true;
      const byServerAfterKill = () => answers.filter((x) => x.afterKill && x.a.by === 'server').length;
      await until(
        () => byServerAfterKill() >= 40,
        60_000,
        'the devices answered 40 frames through the remaining server',
      );
      done = true;
      await Promise.all(loops);
      for (const { a: answer, i } of answers) expect(firstDifference(answer.output, expected[i]!)).toBeNull();
      const stopped = await b.stop('SIGTERM');
      expect(stopped.code, stopped.stderr).toBe(0);
      const final = b.metrics()?.answered ?? 0;
      expect(final).toBeGreaterThanOrEqual(before.b + byServerAfterKill());
      const local = answers.filter((x) => x.a.by === 'device');
      console.log(
        `${answers.length} frames: ${answers.length - local.length} by a server (A ≥ ${before.a}, B ${final}), ${local.length} on the device (${[...new Set(local.map((x) => x.a.reason))].join(', ') || 'none'})`,
      );
    } finally {
      done = true;
      await Promise.all(loops);
    }
  });
});
