/**
 * @fileoverview The C of a prefix run in patches (plan/patch/patch-plan.ts): for each cell of the grid, its rectangle
 * of the graph input copied out of the whole input, then every layer of the prefix as the same kernel call on the
 * cell's rectangles (a window op: the rows of its input rectangle it reads as a smaller image, the padding it starts
 * with, its new output rows as oh × ow written below the rows copied in from its row cache, and the rows the cell
 * below shares copied out to it; a pad: the rows and columns of its input it reads, padded only where the cell
 * touches the tensor's edge; add: its inputs' sub-rectangles through the broadcast strides), then the split
 * layer's cell copied into the whole tensor. The kernels are unchanged: each output element is computed from the same
 * inputs as in the layer-wise call, so the assembled tensor is bit-identical. The cells are unrolled (each its own
 * constants).
 * With the input in the caller's buffer (`callerInput`), each cell copies its rectangle straight out of that buffer.
 */
import { withPlace } from '../../errors.ts';
import { type Graph, type Node, tensorOf } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { CELL_SUFFIX, type PatchCell, type PatchPlan, ROW_CACHE_SUFFIX } from '../../plan/patch/patch-plan.ts';
import type { Region } from '../../plan/patch/receptive-field.ts';
import { shareInt8Params } from '../../quantize/prepare/prepare-int8.ts';
import { comment } from './c-literals.ts';
import type { RenderContext } from './render-context.ts';
import { renderNode } from './render-nodes.ts';

/** A copy of `rows` rows of `bytes` bytes between two byte pointers (C expressions) with their row strides. */
function copyRows(to: string, toStride: number, from: string, fromStride: number, rows: number, bytes: number): string {
  return `{ int32_t r; for (r = 0; r < ${rows}; r++) memcpy(${to} + r * ${toStride}, ${from} + r * ${fromStride}, ${bytes}); }`;
}

/** Bytes from a tensor's start to a rectangle's first pixel, and of one row (int8). */
function rectangleOf(t: Tensor, r: Region, within: Region) {
  const c = t.shape[3]!;
  const width = within.x1 - within.x0;
  return { start: ((r.y0 - within.y0) * width + (r.x0 - within.x0)) * c, row: width * c };
}

/** The graph as one cell sees it: each prefix tensor shaped as its rectangle, each window op padded as the cell's window starts. */
function cellView(g: Graph, plan: PatchPlan, cell: PatchCell): Graph {
  const tensors = new Map(g.tensors);
  for (const [name, r] of cell.regions) {
    const t = tensorOf(g, name);
    tensors.set(name, { ...t, shape: [1, r.y1 - r.y0, r.x1 - r.x0, t.shape[3]!] });
  }
  const nodes = g.nodes.map((n, i) => {
    const pad = cell.pads.get(n.name);
    if (i > plan.split || !pad) return n;
    if (n.op !== 'pad') return { ...n, attrs: { ...n.attrs, pads: [pad.top, 0, pad.left, 0] } } as Node;
    // A pad: the cell's new rows are its top padding, the rows it reads, then its bottom padding (so for columns).
    const out = cell.regions.get(n.outputs[0]!)!;
    const read = cell.reads.get(n.name)!;
    const rows = out.y1 - out.y0 - (cell.cachedRows.get(n.outputs[0]!) ?? 0);
    const sides = (before: number, size: number, inside: number): [number, number] => [before, size - before - inside];
    const pads = [
      [0, 0],
      sides(pad.top, rows, read.y1 - read.y0),
      sides(pad.left, out.x1 - out.x0, read.x1 - read.x0),
      [0, 0],
    ];
    return { ...n, attrs: { ...n.attrs, pads } } as Node;
  });
  const view = { ...g, tensors, nodes };
  shareInt8Params(view, g);
  return view;
}

/** The view one node of a cell renders with: its output's rows computed here, a window op's input rows it reads. */
function nodeView(view: Graph, cell: PatchCell, node: Node, first: number): Graph {
  const tensors = new Map(view.tensors);
  const reshape = (name: string, r: Region) => {
    const t = tensorOf(view, name);
    tensors.set(name, { ...t, shape: [1, r.y1 - r.y0, r.x1 - r.x0, t.shape[3]!] });
  };
  reshape(node.outputs[0]!, { ...cell.regions.get(node.outputs[0]!)!, y0: first });
  const read = cell.reads.get(node.name);
  if (read) reshape(node.inputs[0]!, read);
  const own = { ...view, tensors };
  shareInt8Params(own, view);
  return own;
}

/** The copy of the cell's input rectangle out of the caller's buffer or the whole input in the arena (none when every row its first layers need came from row caches). */
function copyInput(
  ctx: RenderContext,
  plan: PatchPlan,
  cell: PatchCell,
  callerInput: string | undefined,
  to: number,
): string[] {
  const input = tensorOf(ctx.g, plan.input);
  const r = cell.regions.get(plan.input);
  if (!r) return [];
  const from = rectangleOf(input, r, { y0: 0, y1: input.shape[1]!, x0: 0, x1: input.shape[2]! });
  const own = rectangleOf(input, r, r);
  const source = plan.input === callerInput ? '(const uint8_t *)input' : `arena + ${ctx.offsets.get(plan.input)!}`;
  return [
    comment(`rows ${r.y0}…${r.y1 - 1}, columns ${r.x0}…${r.x1 - 1} of the input`),
    copyRows(`arena + ${to}`, own.row, `${source} + ${from.start}`, from.row, r.y1 - r.y0, own.row),
  ];
}

/** The statements of one cell (a block each: the copies, the layers). */
function renderCell(ctx: RenderContext, plan: PatchPlan, cell: PatchCell, index: number): string[] {
  // The cell's layers read its copy of the input rectangle, never the caller's buffer itself.
  const { callerInput, ...cellCtx } = ctx;
  const { g } = ctx;
  const view = cellView(g, plan, cell);
  const offsets = new Map(ctx.offsets);
  offsets.set(plan.input, ctx.offsets.get(plan.input + CELL_SUFFIX)!);
  offsets.set(plan.splitTensor, ctx.offsets.get(plan.splitTensor + CELL_SUFFIX)!);
  const lines = [comment(`cell ${index}`), ...copyInput(ctx, plan, cell, callerInput, offsets.get(plan.input)!)];
  view.nodes.slice(0, plan.split + 1).forEach((node) => {
    const name = node.outputs[0]!;
    const region = cell.regions.get(name);
    if (!region) return; // every row its readers need came from row caches
    const at = offsets.get(name)!;
    const rowBytes = (region.x1 - region.x0) * tensorOf(g, name).shape[3]!;
    const cached = cell.cachedRows.get(name) ?? 0;
    const kept = cell.keptRows.get(name) ?? 0;
    const cache = `arena + ${ctx.offsets.get(name + ROW_CACHE_SUFFIX)}`;
    const computes = node.op === 'add' || cell.reads.has(node.name);
    // A window op reads its rows of the input's rectangle, writes below the cached rows; add reads the sub-rectangle
    // it needs of each input's cell buffer (the view's input shape gives the strides).
    const read = cell.reads.get(node.name);
    const nodeOffsets = new Map([
      ...offsets,
      [name, at + cached * rowBytes] as [string, number],
      ...(read
        ? [
            [
              node.inputs[0]!,
              offsets.get(node.inputs[0]!)! +
                rectangleOf(tensorOf(g, node.inputs[0]!), read, cell.regions.get(node.inputs[0]!)!).start,
            ] as [string, number],
          ]
        : []),
      ...(node.op === 'add'
        ? node.inputs.map((i): [string, number] => [
            i,
            offsets.get(i)! + rectangleOf(tensorOf(g, i), region, cell.regions.get(i)!).start,
          ])
        : []),
    ]);
    const body = computes
      ? withPlace({ file: g.source, node: node.name, op: node.op }, () =>
          renderNode({ ...cellCtx, g: nodeView(view, cell, node, region.y0 + cached), offsets: nodeOffsets }, node),
        )
      : [];
    lines.push(
      '{',
      ...[
        ...(cached > 0
          ? [
              comment(`${cached} rows of '${name}' from the cell above`),
              `memcpy(arena + ${at}, ${cache}, ${cached * rowBytes});`,
            ]
          : []),
        ...body,
        ...(kept > 0
          ? [`memcpy(${cache}, arena + ${at + (region.y1 - region.y0 - kept) * rowBytes}, ${kept * rowBytes});`]
          : []),
      ].map((l) => `  ${l}`),
      '}',
    );
  });
  const split = tensorOf(g, plan.splitTensor);
  const out = cell.regions.get(plan.splitTensor)!;
  const to = rectangleOf(split, out, { y0: 0, y1: split.shape[1]!, x0: 0, x1: split.shape[2]! });
  const own = rectangleOf(split, out, out);
  lines.push(
    copyRows(
      `arena + ${ctx.offsets.get(plan.splitTensor)! + to.start}`,
      to.row,
      `arena + ${offsets.get(plan.splitTensor)!}`,
      own.row,
      out.y1 - out.y0,
      own.row,
    ),
  );
  return lines;
}

/** The prefix's statements: every cell in the plan's order (column by column), each a block. */
export function renderPatches(ctx: RenderContext, plan: PatchPlan): string[] {
  return plan.cells.flatMap((cell, i) => ['{', ...renderCell(ctx, plan, cell, i).map((l) => `  ${l}`), '}']);
}
