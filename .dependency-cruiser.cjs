/**
 * @fileoverview The import rules of tinyedge (issue 17), checked by `npm run deps` inside `npm test`: data flows one
 * way and nothing imports in a cycle. A layer may import its own folder and the layers listed before it, never one
 * listed after it:
 *
 *   errors                 compiler/errors.ts, compiler/error-codes.ts: the error type and its codes
 *   arith                  compiler/arith/: TFLite's fixed-point primitives, gemmlowp's exp/reciprocal/logistic,
 *                          the int16 softmax tables (what quantize, the references and the backends compute alike)
 *   ir                     compiler/ir/: tensors, ops, graph, verify, window/padding/resize geometry
 *   formats                compiler/formats/: file schemas the readers and writers share
 *   frontends              compiler/frontends/: foreign model → IR
 *   reference/f32          compiler/reference/f32/ and the kernels both interpreters share (reference/*.ts);
 *                          below passes (constant folding runs it) and quantize (calibration runs it)
 *   passes                 compiler/passes/: graph rewrites
 *   quantize/prepare       compiler/quantize/prepare/: quantization parameters and Prepare, every integer constant
 *                          a kernel needs, computed once; the integer reference, planner and backends read it
 *   outside-graph stages   compiler/{detection,audio,image}/: what the compiler prepares for the stages around
 *                          the graph (SSD anchors and post-processing tables, CWT tables, the pixel table)
 *   reference/integer      compiler/reference/{integer,audio,detection,image}/: the integer interpreter and the
 *                          references of the stages around the graph
 *   quantize               compiler/quantize/ (not prepare/): calibration, the graph quantizer, bias correction,
 *                          the SQNR report; above reference/integer because the last two run it
 *   plan                   compiler/plan/: arena and split planners
 *   targets                targets/: target descriptions and toolchains, the data a backend renders for
 *   backends               compiler/backends/
 *   exporters, artifact    compiler/exporters/, compiler/artifact/
 *   load                   compiler/load/: a model file to a LoadedModel by its format (the frontends, then
 *                          Prepare's load-time check on the quantized formats, or the artifact decoder)
 *   pipeline               compiler/pipeline.ts: every stage in order
 *   models                 models/: packaged model loaders and architecture builders
 *   library                compiler/{api,input,compile,run,output}/ and compiler/index.ts: the public API
 *                          (`import … from 'tinyedge'`), what the CLI and tools call
 *   terminal               compiler/terminal/: what prints (tables, byte sizes, progress bars, the error line)
 *   cli                    compiler/cli/
 *   tools                  tools/: may import anything but compiler/cli/ (the library is what they share)
 *
 * The interpreters are oracles, not libraries: the planner, the backends, the exporters and the artifact import
 * nothing of compiler/reference/ and read the integer constants Prepare computed instead.
 *
 * runtime/ is what ships to devices: it imports nothing of compiler/, models/, targets/ or tools/. Of the compiler
 * only backends (which package runtime parts) and everything above them may import runtime/.
 */

/** The layers, lowest (importable by all) first; each a path pattern relative to the repository. */
const LAYERS = [
  ['errors', '^compiler/(errors|error-codes)\\.ts$'],
  ['arith', '^compiler/arith/'],
  ['ir', '^compiler/ir/'],
  ['formats', '^compiler/formats/'],
  ['frontends', '^compiler/frontends/'],
  ['reference/f32', '^compiler/reference/(f32/|[^/]+\\.ts$)'],
  ['passes', '^compiler/passes/'],
  ['quantize/prepare', '^compiler/quantize/prepare/'],
  ['outside-graph stages', '^compiler/(detection|audio|image)/'],
  ['reference/integer', '^compiler/reference/(integer|audio|detection|image)/'],
  ['quantize', '^compiler/quantize/(?!prepare/)'],
  ['plan', '^compiler/plan/'],
  ['targets', '^targets/'],
  ['backends', '^compiler/backends/'],
  ['exporters, artifact', '^compiler/(exporters|artifact)/'],
  ['load', '^compiler/load/'],
  ['pipeline', '^compiler/pipeline\\.ts$'],
  ['models', '^models/'],
  ['library', '^compiler/((api|input|compile|run|output)/|index\\.ts$)'],
  ['terminal', '^compiler/terminal/'],
  ['cli', '^compiler/cli/'],
  ['tools', '^tools/'],
];

const BACKENDS = LAYERS.findIndex(([name]) => name === 'backends');

/** One rule per layer: it imports no layer listed after it, and (before backends) nothing of runtime/. */
const stageOrder = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `stage-order: ${name}`,
  comment: `${name} imports only itself and the layers listed before it (see the top of .dependency-cruiser.cjs)`,
  severity: 'error',
  from: { path },
  to: { path: [...LAYERS.slice(i + 1).map(([, p]) => p), ...(i < BACKENDS ? ['^runtime/'] : [])] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no module reaches itself through its imports',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...stageOrder,
    {
      name: 'no-interpreter-in-plan-or-backends',
      comment: 'plan, backends, exporters and artifact read prepared constants and geometry, never an interpreter',
      severity: 'error',
      from: { path: '^compiler/(plan|backends|exporters|artifact)/' },
      to: { path: '^compiler/reference/' },
    },
    {
      name: 'runtime-imports-no-compiler',
      comment: 'the runtime ships to devices alone: nothing of compiler/, models/, targets/ or tools/',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { path: '^(compiler|models|targets|tools)/' },
    },
    {
      name: 'tools-import-no-cli',
      comment: 'tools call the library, not the CLI commands',
      severity: 'error',
      from: { path: '^tools/' },
      to: { path: '^compiler/cli/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every relative import resolves',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^\\.' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|runtime/wasm/assembly/)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
