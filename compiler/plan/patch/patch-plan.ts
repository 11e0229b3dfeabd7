/**
 * @fileoverview The patch plan of patch-based execution (MCUNetV2, Lin et al. 2021): the prefix of the schedule up
 * to a split layer runs once per cell of a rows × cols grid of the split layer's output; each cell's receptive field
 * is traced back through every layer of the prefix, so each layer computes only the rectangle its consumers read.
 * The cells run column by column, top to bottom. A window op (convolution, pooling) computes only the rows of its
 * output below those an earlier cell of the column computed: those (the overlap, k − stride rows a layer) come from a
 * small row cache per tensor (`<tensor>@rows`, alive the whole prefix), so it reads only the input rows its new rows
 * need and each cell holds line buffers, not the whole accumulated halo. The columns two side-by-side cells both
 * need are recomputed (keeping them would hold whole strips alive, which is what patches exist to avoid): those are
 * the extra MACs this plan counts. add computes its whole rectangle (cheap). An explicit PAD (TF.js and ONNX models
 * pad before a VALID convolution) is a 1×1 window with the pad's top and left padding: a cell at the edge gets the pad's
 * rows and columns (the pad value, its zero point), an inner cell none.
 * The split layer's cells are copied into the whole tensor, so what follows the prefix sees exactly the layer-wise
 * tensor and every byte is bit-identical. The graph input is the caller's whole tensor: each cell copies its
 * rectangle out of it first (the kernels take a rectangle as rows of its own width).
 */
import { TinyedgeError } from '../../errors.ts';
import { type Graph, type Node, tensorOf } from '../../ir/graph.ts';
import { lastReaderIndex } from '../../ir/last-reader.ts';
import { modelStats } from '../../ir/stats.ts';
import { DTYPE_BYTES, sameShape } from '../../ir/tensor.ts';
import {
  gridRegions,
  type Region,
  regionPixels,
  regionUnion,
  regionWithin,
  type WindowGeometry,
  windowRead,
} from './receptive-field.ts';

/** The memory plan's name of a tensor's per-cell copy (the graph input's rectangle, the split layer's cell). */
export const CELL_SUFFIX = '@cell';

/** The memory plan's name of a tensor's row cache (the rows a cell shares with the cell below it). */
export const ROW_CACHE_SUFFIX = '@rows';

/** A grid and the last layer (node index) of the prefix it runs. */
export interface PatchConfig {
  rows: number;
  cols: number;
  split: number;
}

/** One cell's rectangles: of each tensor the prefix touches, and where each window op's window starts. */
export interface PatchCell {
  /** The rectangle of each prefix tensor (the graph input's: what the cell copies out of it) this cell computes. */
  regions: Map<string, Region>;
  /** A window node's padding before the first row and column it reads, by node name (nodes computing rows here). */
  pads: Map<string, { top: number; left: number }>;
  /** The rows (whole rows of the input's rectangle) a window node reads, by node name. */
  reads: Map<string, Region>;
  /** Rows at the top of a tensor's rectangle the cell above computed: copied from its row cache, not computed. */
  cachedRows: Map<string, number>;
  /** Rows at the bottom of a tensor's rectangle the cell below reads: copied into its row cache once computed. */
  keptRows: Map<string, number>;
}

/** How a model's prefix runs in patches. */
export interface PatchPlan extends PatchConfig {
  /** The tensor the prefix assembles: the split layer's output. */
  splitTensor: string;
  /** The graph input the cells copy their rectangles from. */
  input: string;
  cells: PatchCell[];
  /** Bytes of each per-cell buffer (the largest cell's rectangle), by tensor name (the input and split ones too). */
  cellBytes: Map<string, number>;
  /** Bytes of each tensor's row cache (the most rows two cells of a column share, of the column's width). */
  rowCacheBytes: Map<string, number>;
  /** MACs of the prefix layer-wise, and summed over the cells (the difference is the recomputed halo). */
  prefixMacs: number;
  patchMacs: number;
}

/** The ops a prefix may hold: window ops whose kernels take any rectangle, spatial pads, and elementwise add (through strides). */
const PATCH_OPS = new Set(['conv2d', 'depthwise_conv2d', 'avg_pool2d', 'max_pool2d', 'pad', 'add']);

function refuse(g: Graph, what: string): never {
  throw new TinyedgeError('TE303', what, { file: g.source });
}

/** A window node's geometry (the kernel size from its filter, the pool's window, a pad's 1×1); undefined for add. */
function windowGeometryOf(g: Graph, node: Node): WindowGeometry | undefined {
  if (node.op === 'add') return undefined;
  if (node.op === 'pad') {
    const [batch, rows, columns, channels] = node.attrs.pads as [number, number][];
    if ([...batch!, ...channels!].some((v) => v !== 0)) refuse(g, `pad '${node.name}' pads more than rows and columns`);
    return { kh: 1, kw: 1, strides: [1, 1], dilations: [1, 1], padTop: rows![0], padLeft: columns![0] };
  }
  const a = node.attrs as {
    strides: [number, number];
    pads: [number, number, number, number];
    dilations?: [number, number];
    filter?: [number, number];
  };
  const [kh, kw] = a.filter ?? tensorOf(g, node.inputs[1]!).shape.slice(1, 3);
  return {
    kh: kh!,
    kw: kw!,
    strides: a.strides,
    dilations: a.dilations ?? [1, 1],
    padTop: a.pads[0],
    padLeft: a.pads[2],
  };
}

const whole = (shape: readonly number[]): Region => ({ y0: 0, y1: shape[1]!, x0: 0, x1: shape[2]! });

/** Checks the prefix can run in patches and returns the graph input it reads. */
function checkPrefix(g: Graph, config: PatchConfig): string {
  const { rows, cols, split } = config;
  if (!Number.isInteger(split) || split < 0 || split >= g.nodes.length)
    refuse(g, `the split layer must be a node index from 0 to ${g.nodes.length - 1}, got ${split}`);
  const prefix = g.nodes.slice(0, split + 1);
  const splitTensor = prefix[split]!.outputs[0]!;
  const last = lastReaderIndex(g);
  for (const n of prefix) {
    if (!PATCH_OPS.has(n.op)) refuse(g, `node '${n.name}' (${n.op}) cannot run in patches`);
    const out = n.outputs[0]!;
    const t = tensorOf(g, out);
    if (t.shape.length !== 4 || t.shape[0] !== 1 || t.dtype !== 'int8')
      refuse(g, `node '${n.name}' has no int8 batch-1 NHWC output to cut into patches`);
    if (out !== splitTensor && ((last.get(out) ?? Infinity) > split || g.outputs.includes(out)))
      refuse(g, `'${out}' is read after the split layer '${prefix[split]!.name}': the prefix must end in one tensor`);
  }
  const [h, w] = tensorOf(g, splitTensor).shape.slice(1, 3) as [number, number];
  if (!(rows >= 1 && cols >= 1 && rows <= h && cols <= w) || rows * cols < 2)
    refuse(g, `a ${rows}×${cols} grid does not cut the ${h}×${w} output of '${prefix[split]!.name}' into patches`);
  const inputs = g.inputs.filter((i) => prefix.some((n) => n.inputs.includes(i)));
  if (inputs.length !== 1 || tensorOf(g, inputs[0]!).dtype !== 'int8')
    refuse(g, 'the prefix must read one int8 graph input');
  return inputs[0]!;
}

/** The rectangles each tensor had in the column so far: the last cell that had one (its rows are in the row cache). */
type ColumnRows = Map<string, { cell: PatchCell; region: Region }>;

/**
 * One cell: traces the split layer's rectangle back through the prefix. A window op computes only the rows of its
 * output below those an earlier cell of the column computed (those come from the row cache), so it reads only the
 * input rows those need; each tensor's rectangle is the union its readers need.
 */
function traceCell(g: Graph, split: number, out: Region, column: ColumnRows): PatchCell {
  const regions = new Map<string, Region>([[g.nodes[split]!.outputs[0]!, out]]);
  const cell: PatchCell = { regions, pads: new Map(), reads: new Map(), cachedRows: new Map(), keptRows: new Map() };
  const reads: { node: Node; input: string; region: Region }[] = [];
  for (let i = split; i >= 0; i--) {
    const node = g.nodes[i]!;
    const name = node.outputs[0]!;
    const made = regions.get(name);
    if (!made) {
      // Every row its readers need here came from row caches: nothing of it runs in this cell.
      if (!column.has(name)) refuse(g, `node '${node.name}' computes nothing the split layer reads`);
      continue;
    }
    const geometry = windowGeometryOf(g, node);
    const need = (input: string, region: Region) => {
      reads.push({ node, input, region });
      const known = regions.get(input);
      regions.set(input, known ? regionUnion(known, region) : region);
    };
    const before = column.get(name)?.region;
    const first = geometry && before ? Math.min(made.y1, Math.max(made.y0, before.y1)) : made.y0;
    if (first > made.y0) cell.cachedRows.set(name, first - made.y0);
    if (first === made.y1) continue;
    if (geometry) {
      const x = tensorOf(g, node.inputs[0]!);
      const read = windowRead(geometry, { ...made, y0: first }, x.shape[1]!, x.shape[2]!);
      if (read.input.y1 <= read.input.y0 || read.input.x1 <= read.input.x0)
        refuse(g, `a cell of '${node.name}' reads nothing of its input (padding only)`);
      cell.pads.set(node.name, { top: read.padTop, left: read.padLeft });
      cell.reads.set(node.name, read.input);
      need(node.inputs[0]!, read.input);
    } else {
      const shape = tensorOf(g, name).shape;
      for (const input of node.inputs) {
        if (!sameShape(tensorOf(g, input).shape, shape)) refuse(g, `add '${node.name}' broadcasts`);
        need(input, made);
      }
    }
  }
  // A window op takes its input rectangle as rows of its own width: it reads whole rows of its input's rectangle (add
  // reads a sub-rectangle through its strides).
  for (const { node, input, region } of reads) {
    const own = regions.get(input)!;
    if (node.op !== 'add' && (region.x0 !== own.x0 || region.x1 !== own.x1))
      refuse(g, `'${input}' is read over different columns by '${node.name}' and another layer`);
    if (!regionWithin(region, own)) throw new Error('internal: a read outside its rectangle');
  }
  return cell;
}

/**
 * After tracing a cell: the rows it takes from each row cache are kept by the column's last cell that had the tensor
 * (the same columns, rows moving down), each row cache in `cache` grown to fit; the cell's rectangles become the
 * column's latest.
 */
function shareRows(g: Graph, cell: PatchCell, column: ColumnRows, cache: Map<string, number>): void {
  for (const [name, rows] of cell.cachedRows) {
    const region = cell.regions.get(name)!;
    const above = column.get(name)!;
    if (above.region.x0 !== region.x0 || above.region.x1 !== region.x1 || region.y0 < above.region.y0)
      refuse(g, `the rectangles of '${name}' in a column of cells do not move down`);
    above.cell.keptRows.set(name, rows);
    const bytes = rows * (region.x1 - region.x0) * tensorOf(g, name).shape[3]!;
    cache.set(name, Math.max(cache.get(name) ?? 0, bytes));
  }
  for (const [name, region] of cell.regions) column.set(name, { cell, region });
}

/** Plans a model's prefix in patches: the cells, their buffers and the MACs they cost (TE303 when it cannot). */
export function planPatches(g: Graph, config: PatchConfig): PatchPlan {
  const input = checkPrefix(g, config);
  const splitTensor = g.nodes[config.split]!.outputs[0]!;
  const [, h, w] = tensorOf(g, splitTensor).shape as [number, number, number];
  // Column by column: the raster-order grid read down each column.
  const grid = gridRegions(h, w, config.rows, config.cols);
  const rowCacheBytes = new Map<string, number>();
  const cells: PatchCell[] = [];
  for (let column = 0; column < config.cols; column++) {
    const rows: ColumnRows = new Map();
    for (let row = 0; row < config.rows; row++) {
      const cell = traceCell(g, config.split, grid[row * config.cols + column]!, rows);
      shareRows(g, cell, rows, rowCacheBytes);
      cells.push(cell);
    }
  }
  const cellBytes = new Map<string, number>();
  for (const cell of cells) {
    for (const [name, r] of cell.regions) {
      const t = tensorOf(g, name);
      const bytes = regionPixels(r) * t.shape[3]! * DTYPE_BYTES[t.dtype];
      cellBytes.set(name, Math.max(cellBytes.get(name) ?? 0, bytes));
    }
  }
  const stats = modelStats(g).nodes.slice(0, config.split + 1);
  let prefixMacs = 0;
  let patchMacs = 0;
  g.nodes.slice(0, config.split + 1).forEach((node, i) => {
    const full = whole(tensorOf(g, node.outputs[0]!).shape);
    const macs = stats[i]!.macs;
    prefixMacs += macs;
    for (const cell of cells) {
      const r = cell.regions.get(node.outputs[0]!);
      const computed = r ? regionPixels(r) - (cell.cachedRows.get(node.outputs[0]!) ?? 0) * (r.x1 - r.x0) : 0;
      patchMacs += (macs * computed) / regionPixels(full);
    }
  });
  return {
    ...config,
    splitTensor,
    input,
    cells,
    cellBytes,
    rowCacheBytes,
    prefixMacs,
    patchMacs: Math.round(patchMacs),
  };
}
