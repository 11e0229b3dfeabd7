/**
 * @fileoverview Drives the predict harness (a child process) one case at a time with a deadline: a case that does not
 * answer in time is a hang (the child is killed and a fresh one started), a child that dies is a crash.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../support/samples.ts';
import type { HarnessCase, HarnessResult } from './predict-harness.ts';

/** A harness answer, or how the child failed to give one. */
export type CaseResult = HarnessResult | { id: number; kind: 'hang' | 'crash'; message: string };

/** One child process at a time, restarted after a hang or a crash. */
export class PredictHarness {
  private child: ChildProcess | undefined;
  private stderr = '';

  private async start(): Promise<ChildProcess> {
    const child = fork(join(ROOT, 'bin', 'run-ts.mjs'), [join(ROOT, 'test', 'fuzz', 'predict-harness.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.stderr = '';
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) =>
        reject(new Error(`the harness exited (${code}) before it was ready: ${this.stderr}`)),
      );
    });
    this.child = child;
    return child;
  }

  /** Runs one case; `timeoutMs` later without an answer it is a hang. */
  async run(c: HarnessCase, timeoutMs: number): Promise<CaseResult> {
    const child = this.child ?? (await this.start());
    return new Promise<CaseResult>((resolve) => {
      const done = (r: CaseResult) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(r);
      };
      const onMessage = (m: HarnessResult) => m.id === c.id && done(m);
      const onExit = (code: number | null) => {
        this.child = undefined;
        done({ id: c.id, kind: 'crash', message: `the harness died (exit ${code}): ${this.stderr.slice(-2000)}` });
      };
      const timer = setTimeout(() => {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        this.child = undefined;
        done({ id: c.id, kind: 'hang', message: `no answer after ${timeoutMs} ms` });
      }, timeoutMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(c);
    });
  }

  /** Stops the child. */
  close(): void {
    this.child?.kill();
    this.child = undefined;
  }
}
