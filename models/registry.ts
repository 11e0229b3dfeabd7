/**
 * @fileoverview Model names the CLI accepts (`nsfwjs:mobilenet_v2_mid`, …, or a path) resolved to an imported IR
 * graph plus what running it needs: class labels and how an image becomes the input tensor.
 */
import { fileURLToPath } from 'node:url';
import { FUNNELNET_CWT } from '../compiler/audio/cwt-kernels.ts';
import { TinyedgeError } from '../compiler/errors.ts';
import { importTfjs } from '../compiler/frontends/load.ts';
import type { TfjsArtifacts } from '../compiler/frontends/tfjs-common/artifacts.ts';
import type { TfjsGraphOptions } from '../compiler/frontends/tfjs-graph/import.ts';
import { loadModelFile } from '../compiler/load/load-model-file.ts';
import type { ImagePreprocessing, LoadedModel } from '../compiler/load/loaded-model.ts';
import { buildFunnelNet, FUNNELNET_LABELS } from './builders/funnelnet.ts';
import { buildMobileDet } from './builders/mobiledet.ts';
import { buildMobileNetV2 } from './builders/mobilenet-v2.ts';
import { HANDTRACK_LABELS, importHandtrack, readHumanModel } from './human.ts';
import { nsfwjsLabels, readNsfwjsModel } from './nsfwjs.ts';

/** What loadModel returns (defined by the load stage, compiler/load/). */
export type { ImagePreprocessing, LoadedModel } from '../compiler/load/loaded-model.ts';

/** The sample photos that ship with tinyedge: the default calibration set. */
export const SAMPLES_DIR = fileURLToPath(new URL('./samples', import.meta.url));

/** The default model of every command. */
export const DEFAULT_MODEL = 'nsfwjs:mobilenet_v2_mid';

/** nsfwjs feeds pixels/255 to both models (its core.ts `normalizationOffset`); the graph model rescales inside. */
const NSFWJS_PREPROCESSING: ImagePreprocessing = { scale: 1 / 255, offset: 0 };

interface PackagedModel {
  description: string;
  /** `outputs` cuts a TF.js graph model after those nodes (the CLI's --outputs). */
  load(options: TfjsGraphOptions): LoadedModel;
  /** The model as the package ships it, for running it in TF.js beside tinyedge (the benchmark's peer). */
  tfjs(): TfjsArtifacts;
}

/** Models that ship inside npm packages, by name. */
export const PACKAGED_MODELS: Record<string, PackagedModel> = {
  'nsfwjs:mobilenet_v2_mid': {
    description: 'MobileNetV2 1.4 (TF-Hub) + 5-class head, 224×224, TF.js graph model',
    load: (o) => ({
      spec: 'nsfwjs:mobilenet_v2_mid',
      graph: importTfjs(readNsfwjsModel('mobilenet_v2_mid'), o),
      labels: nsfwjsLabels(),
      preprocessing: NSFWJS_PREPROCESSING,
      quantized: false,
    }),
    tfjs: () => readNsfwjsModel('mobilenet_v2_mid'),
  },
  'nsfwjs:mobilenet_v2': {
    description: 'MobileNetV2 1.0 + dense head, 224×224, TF.js layers (Keras) model',
    load: (o) => ({
      spec: 'nsfwjs:mobilenet_v2',
      graph: importTfjs(readNsfwjsModel('mobilenet_v2'), o),
      labels: nsfwjsLabels(),
      preprocessing: NSFWJS_PREPROCESSING,
      quantized: false,
    }),
    tfjs: () => readNsfwjsModel('mobilenet_v2'),
  },
  'human:handtrack': {
    description: 'SSD MobileNetV2-FPNLite 320×320 hand detector (TF OD API), TF.js graph model, uint8 input',
    // The graph scales the image's bytes itself (x·2/255 − 1): pixels enter as they are.
    load: (o) => ({
      spec: 'human:handtrack',
      graph: importHandtrack(o),
      labels: HANDTRACK_LABELS,
      preprocessing: { scale: 1, offset: 0 },
      quantized: false,
    }),
    tfjs: () => readHumanModel('handtrack'),
  },
};

/** Builders for architectures no package ships: `builder:mobilenet_v2_<width>_<size>` (seeded weights). */
const MOBILENET_V2_BUILDER = /^builder:mobilenet_v2_(\d+(?:\.\d+)?)_(\d+)$/;

/** SSDLite MobileDet detectors: `builder:mobiledet_<cpu|dsp|edgetpu>_<width>[_<size>]` (size 320 by default; seeded weights). */
const MOBILEDET_BUILDER = /^builder:mobiledet_(cpu|dsp|edgetpu)_(\d+(?:\.\d+)?)(?:_(\d+))?$/;

/** The MCU-sized builder the targets are sized against. */
export const MCU_MODEL = 'builder:mobilenet_v2_0.35_96';

/** The FunnelNet-style heart-sound classifier on a CWT scalogram (seeded weights). */
export const FUNNELNET_MODEL = 'builder:funnelnet';

/** Resolves a model name to its graph, or hands a path to the load stage's format dispatch (no passes run yet). */
export function loadModel(spec: string = DEFAULT_MODEL, options: TfjsGraphOptions = {}): LoadedModel {
  const packaged = PACKAGED_MODELS[spec];
  if (packaged) return packaged.load(options);
  if (options.outputs && !/\.json$/i.test(spec))
    throw new TinyedgeError('TE114', '--outputs cuts TF.js graph models (a packaged one or a model.json)', {
      file: spec,
    });
  if (spec === FUNNELNET_MODEL)
    return {
      spec,
      graph: buildFunnelNet(FUNNELNET_CWT),
      labels: FUNNELNET_LABELS,
      preprocessing: { scale: 1, offset: 0 },
      quantized: false,
      audio: FUNNELNET_CWT,
    };
  const built = MOBILENET_V2_BUILDER.exec(spec);
  if (built) {
    const [alpha, size] = [Number(built[1]), Number(built[2])];
    if (!(alpha > 0 && alpha <= 2) || size < 32 || size > 512)
      throw new TinyedgeError('TE103', `'${spec}': width must be in (0, 2] and size in 32..512`);
    // Inputs in [-1, 1], as Keras' MobileNetV2 preprocess_input makes them.
    return {
      spec,
      graph: buildMobileNetV2(alpha, size, 1000),
      preprocessing: { scale: 2 / 255, offset: -1 },
      quantized: false,
    };
  }
  const detector = MOBILEDET_BUILDER.exec(spec);
  if (detector) {
    const [variant, width, size] = [
      detector[1] as 'cpu' | 'dsp' | 'edgetpu',
      Number(detector[2]),
      Number(detector[3] ?? 320),
    ];
    // TF OD API's check_min_image_dim is 33; above 640 the seeded net says nothing more.
    if (!(width > 0 && width <= 2) || size < 33 || size > 640)
      throw new TinyedgeError('TE103', `'${spec}': width must be in (0, 2] and size in 33..640`);
    // Inputs in [-1, 1], as the MobileDet feature extractor's preprocess makes them.
    return {
      spec,
      graph: buildMobileDet(variant, width, size),
      preprocessing: { scale: 2 / 255, offset: -1 },
      quantized: false,
    };
  }
  if (/^[a-z]+:[^/\\]/.test(spec) && !spec.includes('.')) {
    throw new TinyedgeError(
      'TE103',
      `unknown model '${spec}'; known: ${Object.keys(PACKAGED_MODELS).join(', ')}, ${MCU_MODEL} (builder:mobilenet_v2_<width>_<size>), builder:mobiledet_<cpu|dsp|edgetpu>_<width>[_<size>], ${FUNNELNET_MODEL}, or a path to a model.json or a tinyedge artifact`,
    );
  }
  // A path: the load stage picks the frontend by the file's format.
  return loadModelFile(spec, options);
}
