/**
 * The import rules of .dependency-cruiser.cjs (issue 17) reject what they are meant to: on a small fixture tree
 * with the repository's layout, a stage importing a later stage, the planner importing an interpreter, the runtime
 * importing the compiler, a tool importing a CLI command and an import cycle are each reported, while imports that go the right way are not.
 * `npm run deps` (inside `npm test`) applies the same rules to the real tree.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const rules = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as { forbidden: unknown[] };

/** Each fixture file and the relative imports it makes. */
const FIXTURE: Record<string, string[]> = {
  'compiler/errors.ts': [],
  'compiler/arith/fixed-point.ts': [],
  'compiler/ir/graph.ts': ['../errors.ts', '../arith/fixed-point.ts'],
  // The deliberate backwards import: the IR reaching into a backend.
  'compiler/ir/verify.ts': ['./graph.ts', '../backends/c/render-nodes.ts'],
  'compiler/quantize/prepare/prepare-int8.ts': ['../../ir/graph.ts', '../../arith/fixed-point.ts'],
  'compiler/reference/integer/interpreter.ts': ['../../quantize/prepare/prepare-int8.ts'],
  'compiler/quantize/report.ts': ['../reference/integer/interpreter.ts', './prepare/prepare-int8.ts'],
  // Backwards too: the planner importing the integer interpreter and the runtime.
  'compiler/plan/plan-memory.ts': [
    '../reference/integer/interpreter.ts',
    '../quantize/prepare/prepare-int8.ts',
    '../../runtime/offload/wire-protocol.ts',
  ],
  'compiler/backends/c/render-nodes.ts': [
    '../../ir/graph.ts',
    '../../quantize/prepare/prepare-int8.ts',
    '../../plan/plan-memory.ts',
  ],
  'compiler/cli/compile.ts': ['../backends/c/render-nodes.ts', '../../runtime/offload/wire-protocol.ts'],
  'runtime/offload/wire-protocol.ts': ['../../compiler/errors.ts'],
  'tools/bench/main.ts': ['../../compiler/cli/compile.ts', '../../compiler/backends/c/render-nodes.ts'],
  'compiler/passes/a.ts': ['./b.ts', '../reference/f32/interpreter.ts'],
  'compiler/passes/b.ts': ['./a.ts'],
  'compiler/reference/f32/interpreter.ts': ['../../ir/graph.ts'],
};

const root = mkdtempSync(join(tmpdir(), 'tinyedge-deps-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the dependency rules', () => {
  it('report backwards imports, the runtime importing the compiler, tools importing the CLI and cycles, and nothing else', async () => {
    for (const [file, imports] of Object.entries(FIXTURE)) {
      mkdirSync(join(root, dirname(file)), { recursive: true });
      writeFileSync(
        join(root, file),
        `${imports.map((to, i) => `import * as m${i} from '${to}';\nvoid m${i};\n`).join('')}export const x = 1;\n`,
      );
    }
    const result = await cruise(['compiler', 'runtime', 'tools'], {
      baseDir: root,
      validate: true,
      ruleSet: rules as never,
      tsPreCompilationDeps: true,
    });
    if (typeof result.output === 'string') throw new Error('expected a cruise result');
    const found = result.output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    expect(found).toEqual(
      [
        'no-circular: compiler/passes/a.ts → compiler/passes/b.ts',
        'runtime-imports-no-compiler: runtime/offload/wire-protocol.ts → compiler/errors.ts',
        'stage-order: ir: compiler/ir/verify.ts → compiler/backends/c/render-nodes.ts',
        'no-interpreter-in-plan-or-backends: compiler/plan/plan-memory.ts → compiler/reference/integer/interpreter.ts',
        'stage-order: plan: compiler/plan/plan-memory.ts → runtime/offload/wire-protocol.ts',
        'tools-import-no-cli: tools/bench/main.ts → compiler/cli/compile.ts',
      ].sort(),
    );
  });
});
