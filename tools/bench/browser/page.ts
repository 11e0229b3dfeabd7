/**
 * @fileoverview The browser bench's page script (bundled by esbuild, run in Chromium): loads each contender from the
 * files the bench served, times them in rotating blocks in this one page session, and reads the int8 outputs of
 * tinyedge and TFLite-web for the comparison. A contender that cannot load is left out with its reason.
 */

import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
// TFLite-web's own bundle (the package's index.js names a file it does not ship); it defines window.tfweb.
import '@tensorflow/tfjs-tflite/dist/tf-tflite.fesm.js';
import * as ort from 'onnxruntime-web/wasm';
import { type ModelInfo, TinyedgeModel } from '../../../runtime/wasm/tinyedge-loader.js';
import { BROWSER_PATHS, type PageConfig, type PageResult, type PageTimes } from './page-protocol.ts';

/** The part of TFLite-web's runner API the bench uses (tfjs-tflite's TFLiteWebModelRunner). */
interface TfliteRunner {
  getInputs(): { data(): Int8Array }[];
  getOutputs(): { name: string; data(): Int8Array }[];
  infer(): boolean;
}

/** window.tfweb, which TFLite-web's bundle defines. */
interface TfWeb {
  tflite_web_api: { setWasmPath(path: string): void };
  TFLiteWebModelRunner: { create(model: ArrayBuffer, options: { numThreads: number }): Promise<TfliteRunner> };
}

/** A loaded contender: one inference, and the int8 outputs by name where they are comparable with ours. */
interface Loaded {
  run(): unknown;
  outputs?(): Map<string, Int8Array>;
}

/** A contender: its row name and how it loads (a failure leaves it out). */
interface Contender {
  name: string;
  load(): Promise<Loaded>;
}

const bytes = async (file: string) => {
  const r = await fetch(file);
  if (!r.ok) throw new Error(`${file}: HTTP ${r.status}`);
  return r.arrayBuffer();
};

/**
 * tinyedge's module from `folder` ('' or 'threads/'), on `threads` workers sharing its memory when more than one;
 * its outputs by tensor name (a detector's are its boxes and scores).
 */
async function loadTinyedge(config: PageConfig, input: Int8Array, folder = '', threads = 1): Promise<Loaded> {
  const info = (await (await fetch(`${folder}model.json`)).json()) as ModelInfo;
  const model = await TinyedgeModel.load(await bytes(`${folder}model.wasm`), info, {
    ...(config.detector ? { ssdPostprocess: await bytes('ssd-postprocess.wasm') } : {}),
    ...(threads > 1
      ? {
          threads: {
            module: await bytes(`${folder}model-threads.wasm`),
            count: threads,
            createWorker: () => new Worker('tinyedge-thread.js', { type: 'module' }),
          },
        }
      : {}),
  });
  if (threads > 1 && model.threads !== threads)
    throw new Error(`runs on ${model.threads} thread(s): ${model.threadsWarning ?? 'no reason given'}`);
  return {
    run: async () => {
      model.setInput(input);
      if (threads > 1) await model.runAsync();
      else model.run();
    },
    outputs: () => {
      if (!info.detection) return new Map([[info.output.name, model.output().slice()]]);
      const { boxes, scores } = model.detectorOutputs();
      return new Map([
        [info.detection.boxes.name, boxes.slice()],
        [info.detection.scores.name, scores.slice()],
      ]);
    },
  };
}

/**
 * TFLite-web on our .tflite export. Its loader picks a build by the page's features (the threaded one in this
 * cross-origin isolated page); the bench serves the one-thread SIMD build under another folder, named as the
 * threaded one, so both builds run in this page. Each folder's build loads once.
 */
async function loadTflite(folder: string, threads: number, input: Int8Array): Promise<Loaded> {
  const tfweb = (window as unknown as { tfweb?: TfWeb }).tfweb;
  if (!tfweb) throw new Error("TFLite-web's bundle defined no window.tfweb");
  tfweb.tflite_web_api.setWasmPath(folder);
  const runner = await tfweb.TFLiteWebModelRunner.create(await bytes('model.tflite'), { numThreads: threads });
  return {
    run: () => {
      runner.getInputs()[0]!.data().set(input);
      if (!runner.infer()) throw new Error('TFLite-web: infer() failed');
    },
    outputs: () => new Map(runner.getOutputs().map((o) => [o.name, o.data().slice()])),
  };
}

/** TF.js wasm (XNNPACK, f32) on one thread, on the same model's TF.js graph model; executeAsync to a cut graph's outputs. */
async function loadTfjs(config: PageConfig, x: Float32Array): Promise<Loaded> {
  setWasmPaths(BROWSER_PATHS.tfjsWasm);
  setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js: the wasm backend did not start');
  const json = (await (await fetch('tfjs/model.json')).json()) as tf.io.ModelArtifacts;
  const model = await loadGraphModel(tf.io.fromMemory({ ...json, weightData: await bytes('tfjs/weights.bin') }));
  const dtype = model.inputs[0]?.dtype === 'int32' ? 'int32' : 'float32';
  const run = async () => {
    const input = tf.tensor(x, config.shape, dtype);
    const ys = [
      (config.tfjsOutputs ? await model.executeAsync(input, config.tfjsOutputs) : model.execute(input)) as
        | tf.Tensor
        | tf.Tensor[],
    ].flat();
    await ys[0]!.data();
    tf.dispose([input, ...ys]);
  };
  await run(); // a model TF.js cannot run fails here, not in the timed loop
  return { run };
}

/** onnxruntime-web (wasm SIMD) on our int8 ONNX export, one thread. */
async function loadOrtWeb(config: PageConfig, input: Int8Array): Promise<Loaded> {
  ort.env.wasm.wasmPaths = BROWSER_PATHS.ortWeb;
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(new Uint8Array(await bytes('model.onnx')), {
    executionProviders: ['wasm'],
  });
  const feed = { [session.inputNames[0]!]: new ort.Tensor('int8', input, config.shape) };
  return { run: () => session.run(feed) };
}

/** The contenders in table order. */
function contendersOf(config: PageConfig, input: Int8Array, x: Float32Array): Contender[] {
  const all: (Contender | false)[] = [
    { name: 'tinyedge int8 WebAssembly (SIMD128, 1 thread)', load: () => loadTinyedge(config, input) },
    {
      name: `tinyedge int8 WebAssembly (SIMD128, ${config.tinyedgeThreads} threads: page + workers)`,
      load: () => loadTinyedge(config, input, 'threads/', config.tinyedgeThreads),
    },
    config.files.tflite && {
      name: 'TFLite-web int8 (XNNPACK, SIMD, 1 thread)',
      load: () => loadTflite(BROWSER_PATHS.tfliteSimd, 1, input),
    },
    config.files.tflite && {
      name: `TFLite-web int8 (XNNPACK, SIMD, threaded build, ${config.tfliteThreads} threads)`,
      load: () => loadTflite(BROWSER_PATHS.tfliteThreaded, config.tfliteThreads, input),
    },
    config.files.tfjs && {
      name: `TF.js wasm f32 (XNNPACK SIMD, 1 thread${config.tfjsOutputs ? ', executeAsync to the same outputs' : ''})`,
      load: () => loadTfjs(config, x),
    },
    config.files.onnx && { name: 'onnxruntime-web int8 (wasm SIMD, 1 thread)', load: () => loadOrtWeb(config, input) },
  ];
  return all.filter((c): c is Contender => c !== false);
}

/** The first line of an error, short enough for the left-out line. */
const reasonOf = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);

/** Loads every contender, then times them in rotating blocks (see tools/bench/wasm32.ts for why blocks and cold runs). */
async function runBench(config: PageConfig): Promise<PageResult> {
  const input = new Int8Array(await bytes('input.i8'));
  const x = new Float32Array(await bytes('input.f32'));
  const loaded: { name: string; contender: Loaded }[] = [];
  const skipped: PageResult['skipped'] = [];
  for (const c of contendersOf(config, input, x)) {
    try {
      const contender = await c.load();
      await contender.run();
      loaded.push({ name: c.name, contender });
    } catch (e) {
      skipped.push({ runtime: c.name, reason: reasonOf(e) });
    }
  }
  const times: PageTimes[] = loaded.map(({ name }) => ({ runtime: name, times: [], cold: [] }));
  for (const { contender } of loaded) for (let i = 0; i < 2; i++) await contender.run();
  for (let round = 0; round < Math.ceil(config.runs / config.block); round++) {
    for (const [i, { contender }] of loaded.entries()) {
      for (let k = 0; k <= config.block; k++) {
        const start = performance.now();
        await contender.run();
        (k === 0 ? times[i]!.cold : times[i]!.times).push(performance.now() - start);
      }
    }
  }
  // Outputs after the timed runs: every contender has run the same input many times by now.
  const outputs = loaded.flatMap(({ name, contender }) =>
    contender.outputs
      ? [
          {
            runtime: name,
            tensors: [...contender.outputs()].map(([tensor, values]) => ({ tensor, values: [...values] })),
          },
        ]
      : [],
  );
  return {
    times,
    skipped,
    outputs,
    crossOriginIsolated: self.crossOriginIsolated,
    cores: navigator.hardwareConcurrency,
  };
}

(window as unknown as { runBench: typeof runBench }).runBench = runBench;
(window as unknown as { ready: boolean }).ready = true;
