/**
 * @fileoverview The operator walk both .tflite importers share: each file tensor gets a unique IR name, constants
 * become IR constants on first use, and each operator becomes IR nodes through an op table. What a tensor's type
 * means (int8 activations with the file's quantization, or f32 with dequantized weights) is the caller's
 * `TfliteTensorTypes`, so the int8 and the float importers differ only there and in their op tables.
 */

import { type ErrorPlace, TinyedgeError, withPlace } from '../../errors.ts';
import { type Graph, GraphBuilder, type Node, tensorOf } from '../../ir/graph.ts';
import { type DType, formatShape, type Quantization, sameShape, type TensorData } from '../../ir/tensor.ts';
import { verifyGraph } from '../../ir/verify.ts';
import { optionReader, type TfliteMapContext, type TfliteOpMapping } from './op-table.ts';
import type { TfliteModel, TfliteOperator, TfliteTensor } from './read-model.ts';
import { int32Constant } from './tensor-data.ts';

/** A constant as the IR holds it. */
export interface TfliteConstant {
  data: TensorData;
  dtype: DType;
  quant?: Quantization;
}

/** What tensors of the file become in the IR: the one place the int8 and the float importers differ in typing. */
export interface TfliteTensorTypes {
  /** An activation's IR dtype and quantization (checked: a type the importer does not run fails here). */
  activation(t: TfliteTensor): { dtype: DType; quant?: Quantization };
  /** A constant's values (weights, biases, operands). */
  constant(t: TfliteTensor): TfliteConstant;
  /** The real value of a constant scalar operand (a PADV2 pad value). */
  constReal(t: TfliteTensor): number;
  /** Checks the finished graph (the int8 importer's quantization rules). */
  verify(g: Graph): void;
}

/** Walks a model's operators into an IR graph; `types` says what tensors become, `ops` how operators map. */
export class TfliteImporter {
  private readonly b: GraphBuilder;
  /** IR tensor name of each TFLite tensor already in the graph. */
  private readonly names = new Map<number, string>();
  /** The TFLite tensor of each IR name given by nameOf. */
  private readonly indexOf = new Map<string, number>();
  private readonly used = new Set<string>();
  /** IR node name → the file's operator (index and opcode) that emitted it. */
  readonly origins = new Map<string, ErrorPlace>();

  constructor(
    private readonly m: TfliteModel,
    private readonly types: TfliteTensorTypes,
    private readonly ops: Readonly<Record<string, TfliteOpMapping>>,
  ) {
    this.b = new GraphBuilder(m.file);
  }

  /** A unique IR name for TFLite tensor i (names in a .tflite file need not be unique). */
  private nameOf(i: number): string {
    let name = this.names.get(i);
    if (name === undefined) {
      const base = this.m.tensors[i]!.name;
      name = this.used.has(base) ? `${base}#${i}` : base;
      this.used.add(name);
      this.names.set(i, name);
      this.indexOf.set(name, i);
    }
    return name;
  }

  /** Gives the IR tensor `name` the dtype and quantization of TFLite activation i. */
  private activation(i: number, name: string): void {
    const { dtype, quant } = this.types.activation(this.m.tensors[i]!);
    const ir = tensorOf(this.b.graph, name);
    ir.dtype = dtype;
    if (quant) ir.quant = quant;
  }

  /** Declares TFLite tensor i as a graph input. */
  input(i: number): void {
    const t = this.m.tensors[i]!;
    this.b.input(this.nameOf(i), [...t.shape], this.types.activation(t).dtype);
    this.activation(i, this.nameOf(i));
  }

  /** The IR tensor of TFLite tensor i, materializing constants on first use. */
  private tensor(i: number): string {
    const name = this.names.get(i);
    if (name !== undefined && this.b.has(name)) return name;
    const t = this.m.tensors[i]!;
    if (!t.data) throw new TinyedgeError('TE106', `tensor '${t.name}' is read before any operator writes it`);
    const { data, dtype, quant } = this.types.constant(t);
    const ir = this.nameOf(i);
    this.b.constant(ir, [...t.shape], data, dtype);
    if (quant) tensorOf(this.b.graph, ir).quant = quant;
    return ir;
  }

  /** Translates one operator through the op table; the last node emitted writes the operator's output. */
  operator(op: TfliteOperator): void {
    const mapping = this.ops[op.name];
    if (!mapping)
      throw new TinyedgeError(
        'TE109',
        `operator ${op.name} is not supported; supported: ${Object.keys(this.ops).join(', ')}`,
      );
    if (op.version > mapping.maxVersion)
      throw new TinyedgeError(
        'TE109',
        `${op.name} version ${op.version} is not supported (up to version ${mapping.maxVersion})`,
      );
    const count = mapping.outputs ?? 1;
    if (op.outputs.length !== count)
      throw new TinyedgeError('TE111', `has ${op.outputs.length} outputs, tinyedge maps ${op.name} with ${count}`);
    const out = op.outputs[0]!;
    const outName = this.nameOf(out);
    const emitted: Node[] = [];
    const present = (i: number): number => {
      const t = op.inputs[i];
      if (t === undefined || t < 0)
        throw new TinyedgeError('TE106', `input ${i} is missing (the operator has ${op.inputs.length})`);
      return t;
    };
    const ctx: TfliteMapContext = {
      op,
      option: optionReader(op.options),
      input: (i) => this.tensor(present(i)),
      hasInput: (i) => op.inputs[i] !== undefined && op.inputs[i] >= 0,
      constInts: (i) => Array.from(int32Constant(this.m.tensors[present(i)]!)),
      constReal: (i) => this.types.constReal(this.m.tensors[present(i)]!),
      shapeOf: (name) => this.b.shapeOf(name),
      outputShape: (i) => [...this.m.tensors[op.outputs[i]!]!.shape],
      scalar: (value) => this.b.constant(`${outName}/scalar${emitted.length}`, [1], Float32Array.of(value)),
      emit: (irOp, inputs, attrs) => {
        const name = `${outName}#${emitted.length}`;
        this.b.node(irOp, name, inputs, attrs);
        const node = this.b.graph.nodes[this.b.graph.nodes.length - 1]!;
        emitted.push(node);
        // A reshape keeps its input's quantization; anything else computes in the operator's output quantization.
        this.activation(irOp === 'reshape' ? (this.indexOf.get(inputs[0]!) ?? out) : out, name);
        return name;
      },
    };
    mapping.map(ctx);
    // The last nodes write the operator's outputs under the file's tensor names.
    for (const [k, last] of emitted.slice(-count).entries()) {
      const o = op.outputs[k]!;
      const name = this.nameOf(o);
      const t = tensorOf(this.b.graph, last.outputs[0]!);
      this.b.graph.tensors.delete(t.name);
      t.name = name;
      this.b.graph.tensors.set(name, t);
      last.outputs = [name];
      last.name = name;
      if (!sameShape(t.shape, this.m.tensors[o]!.shape)) {
        throw new TinyedgeError(
          'TE106',
          `computes ${formatShape(t.shape)} but the file records output '${name}' as ${formatShape(this.m.tensors[o]!.shape)}`,
        );
      }
      this.activation(o, name);
    }
    for (const node of emitted) this.origins.set(node.name, { node: `operator ${op.index}`, op: op.name });
  }

  /** The finished graph with its outputs, verified. */
  finish(inputs: number[], outputs: number[]): Graph {
    const g = this.b.graph;
    if (inputs.length !== 1)
      throw new TinyedgeError('TE111', `the model has ${inputs.length} inputs; tinyedge runs models with one input`);
    g.outputs = outputs.map((o) => {
      const name = this.names.get(o);
      if (name === undefined || !g.tensors.has(name))
        throw new TinyedgeError('TE106', `output '${this.m.tensors[o]!.name}' is never computed`);
      return name;
    });
    verifyGraph(g);
    this.types.verify(g);
    return g;
  }
}

/** Imports `inputs`, then every operator not in `skipped` (each error naming its index and opcode), into a graph. */
export function importOperators(
  m: TfliteModel,
  types: TfliteTensorTypes,
  ops: Readonly<Record<string, TfliteOpMapping>>,
  io: { inputs: number[]; outputs: number[]; skipped?: ReadonlySet<number> },
): { graph: Graph; origins: ReadonlyMap<string, ErrorPlace> } {
  const importer = new TfliteImporter(m, types, ops);
  for (const i of io.inputs) importer.input(i);
  for (const op of m.operators) {
    if (io.skipped?.has(op.index)) continue;
    withPlace({ node: `operator ${op.index}`, op: op.name }, () => importer.operator(op), true);
  }
  return { graph: importer.finish(io.inputs, io.outputs), origins: importer.origins };
}
