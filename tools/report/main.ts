/**
 * @fileoverview `tinyedge report` (which runs this file as its own process, like bench: it counts under qemu and
 * imports tools): gathers everything tinyedge knows about a model on a target (report-data.ts), draws it
 * (report-charts.ts) into one self-contained HTML page (report-page.ts) and writes it; `--json` also prints the
 * page's data. Progress bars on stderr for the steps that take more than a second; failures end as the CLI's error
 * line and exit code.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { checkBenchRequest } from '../../compiler/api/bench-request.ts';
import { precisionOptions } from '../../compiler/api/precision-flags.ts';
import { quantize, quantizeWithSamples } from '../../compiler/index.ts';
import { checkOutputFile } from '../../compiler/output/output-path.ts';
import { parseBandwidth, parseDuration } from '../../compiler/plan/split/plan-split.ts';
import { reportFailure } from '../../compiler/terminal/failure.ts';
import { type Progress, startProgress } from '../../compiler/terminal/progress.ts';
import { loadTarget } from '../../targets/target.ts';
import { reportCharts } from './report-charts.ts';
import { gatherReport, type ReportProgress } from './report-data.ts';
import { reportPage } from './report-page.ts';

interface ReportOptions {
  model: string;
  target: string;
  calibrate?: string[];
  image?: string;
  input?: string;
  runs: string;
  bandwidth: string;
  rtt: string;
  out: string;
  force?: boolean;
  json?: boolean;
  debug?: boolean;
  precision?: string;
  budgetFlash?: string;
  budgetRam?: string;
  maxCost?: string;
  minSqnr?: string;
}

const options = new Command('report')
  .requiredOption('--model <name>', 'a packaged model name, a builder, or a path to a model file or artifact')
  .requiredOption('--target <name>', 'the target')
  .option('--calibrate <files...>', 'photos or folders to quantize a float model on (default: the bundled samples)')
  .option('--image <file>', 'the input photo of the measured runs')
  .option('--input <file>', 'a raw input tensor instead of a photo')
  .option('--runs <n>', 'timed runs of each WebAssembly layer', '7')
  .option('--bandwidth <rate>', 'the split plan: link bandwidth', '5mbit')
  .option('--rtt <time>', 'the split plan: round-trip time', '40ms')
  .requiredOption('--out <file>', 'the HTML page')
  .option('--force', 'replace --out if it exists')
  .option('--json', 'also print the page data as one JSON object')
  .option('--precision <list|auto>', 'quantize per layer (layer=int8|16x8|int4w,…) or by measured sensitivity (auto)')
  .option('--budget-flash <bytes>', '--precision auto: most bytes of weights and biases')
  .option('--budget-ram <bytes>', "--precision auto: most bytes of the largest layer's activations")
  .option('--max-cost <x>', '--precision auto: most instructions as a multiple of all-int8')
  .option('--min-sqnr <dB>', '--precision auto: least predicted output SQNR')
  .option('--debug', 'show stack traces of errors')
  .parse(process.argv)
  .opts<ReportOptions>();

/** One bar per step, started on its first report, stopped when the next step starts. */
function stepBars(show: boolean): { onStep: ReportProgress; stop(): void } {
  let current: { step: string; bar: Progress } | undefined;
  return {
    onStep(step, done, total) {
      if (current?.step !== step) {
        current?.bar.stop();
        current = { step, bar: startProgress(step, total, show) };
      }
      current.bar.update(done);
    },
    stop: () => current?.bar.stop(),
  };
}

async function main(): Promise<void> {
  checkOutputFile(options.out, !!options.force);
  const link = {
    bandwidth: options.bandwidth,
    rtt: options.rtt,
    bitsPerSecond: parseBandwidth(options.bandwidth),
    rttMs: parseDuration(options.rtt, '--rtt'),
  };
  const request = await checkBenchRequest(options);
  const target = loadTarget(options.target);
  const bars = stepBars(!options.json);
  try {
    const quantizing = startProgress('quantizing', 1000, !options.json);
    const onProgress = (_: string, f: number) => quantizing.update(Math.round(1000 * f));
    const float = request.model;
    const precision = precisionOptions(float, { ...options, target: options.target });
    const int8 = options.calibrate?.length
      ? await quantize(float, { calibration: options.calibrate, onProgress, ...precision })
      : await quantizeWithSamples(float, { onProgress, ...precision });
    quantizing.stop();
    const data = await gatherReport(
      {
        request,
        float,
        int8,
        target,
        ...(options.calibrate ? { calibration: options.calibrate } : {}),
        runs: request.runs,
        link,
      },
      bars.onStep,
    );
    bars.stop();
    writeFileSync(options.out, await reportPage(data, reportCharts(data)));
    if (options.json) process.stdout.write(`${JSON.stringify(data)}\n`);
    else process.stdout.write(`wrote ${options.out}\n`);
  } finally {
    bars.stop();
  }
}

try {
  await main();
} catch (e) {
  process.exit(reportFailure(e, !!options.debug));
}
