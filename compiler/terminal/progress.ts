/** @fileoverview A progress bar on stderr that appears only when the work has already taken a second and stderr is a terminal. */
import cliProgress from 'cli-progress';

/** Reports `done` of `total` steps; call `stop` when finished. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

/** A bar for `label` that stays hidden for fast work, for pipes and for --json runs. */
export function startProgress(label: string, total: number, enabled = true): Progress {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const started = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(done) {
      if (!bar && Date.now() - started > 1000) {
        bar = new cliProgress.SingleBar(
          { format: `${label} [{bar}] {value}/{total}`, stream: process.stderr, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      }
      bar?.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}
