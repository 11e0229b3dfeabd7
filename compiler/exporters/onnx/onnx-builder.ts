/**
 * @fileoverview The one file that touches onnx-proto: typed builders for ONNX initializers, nodes and attributes,
 * and the encoder of the finished model. Everything else in the exporter speaks in these terms.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX element types the exporter writes. */
export type OnnxType = 'float' | 'int8' | 'int32' | 'int64';

const DATA_TYPE: Record<OnnxType, number> = {
  float: onnx.TensorProto.DataType.FLOAT,
  int8: onnx.TensorProto.DataType.INT8,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
};

/** An attribute value: int, ints, float or string, inferred from the value. */
export type OnnxAttr = number | number[] | { float: number } | { string: string };

/** Collects the nodes, initializers, inputs and outputs of one ONNX graph. */
export class OnnxGraphBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  /** A name not used yet, derived from `base`. */
  fresh(base: string): string {
    let name = base;
    while (this.names.has(name)) name = `${base}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  /** Adds a constant tensor and returns its name. */
  constant(base: string, type: OnnxType, dims: number[], values: ArrayLike<number>): string {
    const name = this.fresh(base);
    let raw: Uint8Array;
    if (type === 'int64') {
      const a = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
      raw = new Uint8Array(a.buffer);
    } else {
      const Typed = type === 'float' ? Float32Array : type === 'int8' ? Int8Array : Int32Array;
      const a = Typed.from(values as ArrayLike<number>);
      raw = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    }
    this.initializers.push(onnx.TensorProto.create({ name, dims, dataType: DATA_TYPE[type], rawData: raw }));
    return name;
  }

  /** A float scalar constant. */
  scale(base: string, v: number): string {
    return this.constant(base, 'float', [], [v]);
  }

  /** An int8 scalar constant. */
  zeroPoint(base: string, v: number): string {
    return this.constant(base, 'int8', [], [v]);
  }

  /** Adds a node with one output (named from `base`) and returns that output's name. */
  node(opType: string, inputs: string[], base: string, attrs: Record<string, OnnxAttr> = {}, domain = ''): string {
    const output = this.fresh(base);
    this.push(opType, inputs, [output], output, attrs, domain);
    return output;
  }

  /** A Cast of `value` to `type` (named from `base`). */
  cast(value: string, type: OnnxType, base: string): string {
    return this.node('Cast', [value], base, { to: DATA_TYPE[type] });
  }

  /** Adds a node with one output per name in `bases` (each made fresh) and returns their names. */
  nodeOutputs(
    opType: string,
    inputs: string[],
    bases: string[],
    base: string,
    attrs: Record<string, OnnxAttr> = {},
  ): string[] {
    const outputs = bases.map((b) => this.fresh(b));
    this.push(opType, inputs, outputs, this.fresh(base), attrs, '');
    return outputs;
  }

  private push(
    opType: string,
    inputs: string[],
    outputs: string[],
    name: string,
    attrs: Record<string, OnnxAttr>,
    domain: string,
  ): void {
    const attribute = Object.entries(attrs).map(([key, v]) => {
      if (Array.isArray(v))
        return onnx.AttributeProto.create({ name: key, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
      if (typeof v === 'object' && 'string' in v)
        return onnx.AttributeProto.create({
          name: key,
          type: onnx.AttributeProto.AttributeType.STRING,
          s: new TextEncoder().encode(v.string),
        });
      if (typeof v === 'object')
        return onnx.AttributeProto.create({ name: key, type: onnx.AttributeProto.AttributeType.FLOAT, f: v.float });
      return onnx.AttributeProto.create({ name: key, type: onnx.AttributeProto.AttributeType.INT, i: v });
    });
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: outputs, name, attribute, domain }));
  }

  private valueInfo(name: string, type: OnnxType, dims: number[]): InstanceType<typeof onnx.ValueInfoProto> {
    return onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: DATA_TYPE[type], shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
    });
  }

  /** Keeps `name` for a graph output declared later, so no inner value takes it. */
  reserve(name: string): void {
    this.names.add(name);
  }

  /** Declares a graph input. */
  input(name: string, type: OnnxType, dims: number[]): string {
    this.names.add(name);
    this.inputs.push(this.valueInfo(name, type, dims));
    return name;
  }

  /** Declares a graph output (a name reserved earlier), copying `value` into it through an Identity. */
  output(value: string, name: string, type: OnnxType, dims: number[]): void {
    this.nodes.push(
      onnx.NodeProto.create({
        opType: 'Identity',
        input: [value],
        output: [name],
        name: this.fresh(`${name}_identity`),
      }),
    );
    this.outputs.push(this.valueInfo(name, type, dims));
  }

  /** The serialized ModelProto (ONNX opset 13 plus com.microsoft's quantized ops). */
  encode(graphName: string, docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      producerName: 'tinyedge',
      docString,
      opsetImport: [
        { domain: '', version: 13 },
        { domain: 'com.microsoft', version: 1 },
      ],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
