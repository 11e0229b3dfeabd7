/**
 * @fileoverview ONNX's QDQ form (what onnxruntime's quantize_static writes by default: float ops between
 * DequantizeLinear and QuantizeLinear, int8 weights behind a DequantizeLinear) rewritten into the QLinear form the
 * int8 importer reads, node for node: Conv [→ Relu | Clip] → QuantizeLinear becomes QLinearConv [→ Clip on int8],
 * Add/Mul become QLinearAdd/QLinearMul, AveragePool becomes QLinearAveragePool, Gemm a 1×1 QLinearConv between
 * reshapes, Flatten/MaxPool/GlobalAveragePool on dequantized values stay for the importer, and the float
 * QuantizeLinear at the input and DequantizeLinear at the outputs come off. Scales and zero points are moved, never
 * recomputed, so the int8 graph is exactly the file's.
 */

import { constantOf, fail, inputOf, numberAttr } from './onnx-node.ts';
import type { OnnxConstant, OnnxModelRecord, OnnxNodeRecord } from './read-model.ts';

/** Ops that only move or select bytes: the same on int8 as on the dequantized values. */
const MOVES_BYTES = new Set(['MaxPool', 'Flatten', 'Reshape', 'Transpose', 'Identity']);

/** Whether a float model is in QDQ form: its input is only read by a QuantizeLinear. */
export function isQdqModel(m: OnnxModelRecord): boolean {
  const input = m.inputs[0]?.name;
  if (input === undefined) return false;
  const readers = m.nodes.filter((n) => n.inputs.includes(input));
  return readers.length > 0 && readers.every((n) => n.opType === 'QuantizeLinear');
}

/** Rewrites a QDQ model into QLinear form (a new record; the one given is not changed). */
export function qlinearFromQdq(m: OnnxModelRecord): OnnxModelRecord {
  const initializers = new Map(m.initializers);
  const producer = new Map<string, OnnxNodeRecord>();
  for (const n of m.nodes) for (const o of n.outputs) producer.set(o, n);
  const readers = (name: string) => m.nodes.filter((n) => n.inputs.includes(name));
  const dq = (name: string): OnnxNodeRecord | undefined => {
    const p = producer.get(name);
    return p?.opType === 'DequantizeLinear' ? p : undefined;
  };
  const removed = new Set<OnnxNodeRecord>();
  const replaced = new Map<OnnxNodeRecord, OnnxNodeRecord[]>();
  let counter = 0;
  const constant = (base: string, c: OnnxConstant) => {
    const name = `${base}__qdq${++counter}`;
    initializers.set(name, c);
    return name;
  };
  /** The QuantizeLinear that is the only reader of `name`, through at most one Relu or Clip (returned as the clamp). */
  const quantizedBy = (name: string): { q: OnnxNodeRecord; act?: OnnxNodeRecord } | undefined => {
    const rs = readers(name);
    if (rs.length !== 1) return undefined;
    if (rs[0]!.opType === 'QuantizeLinear') return { q: rs[0]! };
    if (rs[0]!.opType === 'Relu' || rs[0]!.opType === 'Clip') {
      const after = readers(rs[0]!.outputs[0]!);
      if (after.length === 1 && after[0]!.opType === 'QuantizeLinear') return { q: after[0]!, act: rs[0] };
    }
    return undefined;
  };
  /** An int8 Clip after a QLinear node: Relu's or Clip's real bounds in the output's quantization, as TFLite rounds them. */
  const clipOf = (act: OnnxNodeRecord, y: string, q: OnnxNodeRecord, out: string): OnnxNodeRecord => {
    const s = constantOf(m, q.inputs[1]!).data[0]!;
    const z = constantOf(m, q.inputs[2]!).data[0]!;
    const toQ = (i: number, byDefault: number) =>
      act.inputs[i]
        ? Math.max(-128, Math.min(127, z + Math.round(Math.fround(constantOf(m, act.inputs[i]).data[0]! / s))))
        : byDefault;
    const [lo, hi] = act.opType === 'Relu' ? [z, 127] : [toQ(1, -128), toQ(2, 127)];
    return {
      name: `${act.name}__int8`,
      opType: 'Clip',
      domain: '',
      inputs: [
        y,
        constant('clip_lo', { dims: [], type: 'int8', data: Int8Array.of(lo) }),
        constant('clip_hi', { dims: [], type: 'int8', data: Int8Array.of(hi) }),
      ],
      outputs: [out],
      attrs: new Map(),
      attrTypes: new Map(),
    };
  };
  /** Removes the float ops a rewrite consumed (their int8 inputs' DequantizeLinears stay if others read them). */
  const consume = (...ns: (OnnxNodeRecord | undefined)[]) =>
    ns.forEach((n) => {
      n && removed.add(n);
    });

  for (const n of m.nodes) {
    if (n.opType === 'Conv' || n.opType === 'Gemm') {
      const [x, w, b] = [dq(n.inputs[0]!), dq(n.inputs[1]!), n.inputs[2] ? dq(n.inputs[2]) : undefined];
      const after = quantizedBy(n.outputs[0]!);
      if (!x || !w || !after || (n.inputs[2] && !b))
        fail(`${n.opType} '${n.name}' is not in QDQ form (its inputs dequantized, its output quantized)`);
      const { q, act } = after;
      const y = act ? `${q.outputs[0]}__pre_clip` : q.outputs[0]!;
      const wq = initializerOf(m, w.inputs[0]!, 'weights');
      const ins = (xName: string, wName: string) => [
        xName,
        inputOf(x, 1),
        inputOf(x, 2),
        wName,
        inputOf(w, 1),
        inputOf(w, 2),
        inputOf(q, 1),
        inputOf(q, 2),
        ...(b ? [inputOf(b, 0)] : []),
      ];
      const nodes: OnnxNodeRecord[] = [];
      if (n.opType === 'Conv') {
        nodes.push({
          ...n,
          name: `${n.name}__qlinear`,
          opType: 'QLinearConv',
          inputs: ins(x.inputs[0]!, w.inputs[0]!),
          outputs: [y],
        });
      } else {
        if (numberAttr(n, 'transB', 0) !== 1 || numberAttr(n, 'transA', 0) !== 0)
          fail(`Gemm '${n.name}' must have transB = 1 and transA = 0`);
        const [o, k] = wq.dims;
        const w4 = constant(w.inputs[0]!, { ...wq, dims: [o!, k!, 1, 1] });
        const x4 = `${n.name}__x4`;
        const y4 = `${n.name}__y4`;
        nodes.push(
          {
            name: `${n.name}__in`,
            opType: 'Reshape',
            domain: '',
            inputs: [x.inputs[0]!, constant('shape', { dims: [4], type: 'int64', data: [-1, k!, 1, 1] })],
            outputs: [x4],
            attrs: new Map(),
            attrTypes: new Map(),
          },
          {
            name: `${n.name}__qlinear`,
            opType: 'QLinearConv',
            domain: '',
            inputs: ins(x4, w4),
            outputs: [y4],
            attrs: new Map([['kernel_shape', [1, 1]]]),
            attrTypes: new Map([['kernel_shape', 'ints']]),
          },
          {
            name: `${n.name}__out`,
            opType: 'Reshape',
            domain: '',
            inputs: [y4, constant('shape', { dims: [2], type: 'int64', data: [-1, o!] })],
            outputs: [y],
            attrs: new Map(),
            attrTypes: new Map(),
          },
        );
      }
      if (act) nodes.push(clipOf(act, y, q, q.outputs[0]!));
      replaced.set(n, nodes);
      consume(act, q);
    } else if (MOVES_BYTES.has(n.opType) && dq(n.inputs[0]!) && quantizedBy(n.outputs[0]!)) {
      // Ops that only move or select bytes run on the int8 tensor when the quantization around them is the same.
      const x = dq(n.inputs[0]!) as OnnxNodeRecord;
      const after = quantizedBy(n.outputs[0]!) as { q: OnnxNodeRecord; act?: OnnxNodeRecord };
      if (after.act) fail(`${n.opType} '${n.name}' is not in QDQ form`);
      const same = [1, 2].every(
        (i) => constantOf(m, x.inputs[i]!).data[0] === constantOf(m, after.q.inputs[i]!).data[0],
      );
      if (!same) fail(`${n.opType} '${n.name}' changes the quantization; tinyedge keeps it across ${n.opType}`);
      replaced.set(n, [{ ...n, inputs: [x.inputs[0]!, ...n.inputs.slice(1)], outputs: [after.q.outputs[0]!] }]);
      consume(after.q);
    } else if (n.opType === 'Add' || n.opType === 'Mul' || n.opType === 'AveragePool') {
      const xs = n.inputs.map(dq);
      const after = quantizedBy(n.outputs[0]!);
      if (xs.some((x) => !x) || !after || after.act) fail(`${n.opType} '${n.name}' is not in QDQ form`);
      const { q } = after;
      const [a, c] = xs as OnnxNodeRecord[];
      const inputs =
        n.opType === 'AveragePool'
          ? [inputOf(a!, 0), inputOf(a!, 1), inputOf(a!, 2), inputOf(q, 1), inputOf(q, 2)]
          : [
              inputOf(a!, 0),
              inputOf(a!, 1),
              inputOf(a!, 2),
              inputOf(c!, 0),
              inputOf(c!, 1),
              inputOf(c!, 2),
              inputOf(q, 1),
              inputOf(q, 2),
            ];
      const attrs = new Map(n.attrs);
      if (n.opType === 'AveragePool' && !attrs.has('count_include_pad')) attrs.set('count_include_pad', 0);
      replaced.set(n, [
        {
          ...n,
          name: `${n.name}__qlinear`,
          opType: `QLinear${n.opType}`,
          domain: 'com.microsoft',
          inputs,
          outputs: [q.outputs[0]!],
          attrs,
        },
      ]);
      consume(q);
    }
  }
  // The float input's QuantizeLinear and the outputs' DequantizeLinears come off.
  const input = m.inputs[0]!;
  const quantizeInput = m.nodes.find(
    (n) => n.opType === 'QuantizeLinear' && n.inputs[0] === input.name,
  ) as OnnxNodeRecord;
  consume(quantizeInput);
  const outputs = m.outputs.map((o) => {
    // An output may be an Identity copy of the DequantizeLinear (as exporters name graph outputs).
    const copy = producer.get(o.name)?.opType === 'Identity' ? producer.get(o.name) : undefined;
    const d = dq(copy ? copy.inputs[0]! : o.name!);
    if (!d) fail(`output '${o.name}' is not a DequantizeLinear of an int8 tensor`);
    consume(d, copy);
    return { ...o, name: inputOf(d, 0), type: 'int8' as const };
  });
  const nodes = m.nodes.flatMap((n) => replaced.get(n) ?? (removed.has(n) ? [] : [n]));
  // DequantizeLinears of weights and biases are no longer read by anything; the importer would refuse them.
  const read = new Set(nodes.flatMap((n) => n.inputs));
  const live = nodes.filter(
    (n) => !(n.opType === 'DequantizeLinear' && initializers.has(n.inputs[0]!) && !read.has(n.outputs[0]!)),
  );
  return {
    ...m,
    initializers,
    nodes: live,
    inputs: [{ name: quantizeInput.outputs[0]!, type: 'int8', dims: input.dims, nchw: input.dims.length === 4 }],
    outputs,
  };
}

function initializerOf(m: OnnxModelRecord, name: string, role: string): OnnxConstant {
  const c = m.initializers.get(name);
  if (c?.type !== 'int8') return fail(`${role} '${name}' must be an int8 initializer`);
  return c;
}
