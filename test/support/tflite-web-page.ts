/** @fileoverview The TFLite-web oracle's page script (bundled by esbuild, run in Chromium): runs .tflite files on f32 inputs. */

// TFLite-web's own bundle (the package's index.js names a file it does not ship); it defines window.tfweb.
import '@tensorflow/tfjs-tflite/dist/tf-tflite.fesm.js';

/** The part of TFLite-web's API the oracle uses. */
interface TfWeb {
  tflite_web_api: { setWasmPath(path: string): void };
  TFLiteWebModelRunner: {
    create(
      model: ArrayBuffer,
      options: { numThreads: number },
    ): Promise<{
      getInputs(): { data(): Float32Array }[];
      getOutputs(): { data(): Float32Array }[];
      infer(): boolean;
    }>;
  };
}

const page = window as unknown as {
  tfweb: TfWeb;
  ready: boolean;
  runTflite(file: string, inputs: number[][]): Promise<number[][]>;
};
page.tfweb.tflite_web_api.setWasmPath('tflite/');
page.runTflite = async (file, inputs) => {
  const runner = await page.tfweb.TFLiteWebModelRunner.create(await (await fetch(file)).arrayBuffer(), {
    numThreads: 1,
  });
  return inputs.map((x) => {
    runner.getInputs()[0]!.data().set(x);
    if (!runner.infer()) throw new Error(`TFLite-web: infer() failed on ${file}`);
    return Array.from(runner.getOutputs()[0]!.data());
  });
};
page.ready = true;
