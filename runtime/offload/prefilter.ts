/**
 * @fileoverview The on-device prefilter of split offload (Matsubara et al.'s neural filter): a tiny classifier runs
 * on every captured frame first, and a frame it finds not worth it is answered "nothing" at once, with no head,
 * no bytes on the link and no server time. The rest go through the device as usual.
 */
import type { RawValues, TinyedgeModel } from '../wasm/tinyedge-loader.js';
import type { DeviceAnswer, OffloadDevice } from './device-client.ts';

/** The prefilter's verdict on a frame: its score for the wanted class, and whether that clears the threshold. */
export interface PrefilterVerdict {
  score: number;
  keep: boolean;
}

/** A compiled classifier and the class whose probability (dequantized output) must reach `threshold`. */
export class ClassifierPrefilter {
  constructor(
    private readonly model: TinyedgeModel<RawValues, RawValues>,
    private readonly wantedClass: number,
    private readonly threshold: number,
  ) {}

  judge(frame: RawValues): PrefilterVerdict {
    this.model.setInput(frame);
    this.model.run();
    const score = this.model.outputFloat()[this.wantedClass]!;
    return { score, keep: score >= this.threshold };
  }
}

/** A frame the prefilter dropped: answered on the device with nothing to report. */
export interface DroppedFrame {
  by: 'prefilter';
  score: number;
}

/** A device whose frames pass the prefilter before anything else. */
export class PrefilteredDevice {
  constructor(
    private readonly prefilter: ClassifierPrefilter,
    private readonly device: OffloadDevice,
  ) {}

  async infer(frame: RawValues): Promise<DeviceAnswer | DroppedFrame> {
    const verdict = this.prefilter.judge(frame);
    return verdict.keep ? this.device.infer(frame) : { by: 'prefilter', score: verdict.score };
  }

  close(): void {
    this.device.close();
  }
}
