/** @fileoverview A Keras layer as TF.js stores it in model.json (Keras 2 config), and typed readers of its config. */
import { TinyedgeError } from '../../errors.ts';

/** One layer of model_config.config.layers. */
export interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  /** Keras 2: [[['producer', nodeIndex, tensorIndex, kwargs], …]] per call of the layer. */
  inbound_nodes?: unknown[];
}

/** Typed access to a layer's config, failing with the layer and class named. */
export class KerasConfig {
  constructor(private readonly layer: KerasLayer) {}

  private bad(key: string, kind: string): never {
    throw new TinyedgeError('TE110', `config '${key}' must be ${kind}, got ${JSON.stringify(this.layer.config[key])}`);
  }

  /** A number. */
  number(key: string, fallback?: number): number {
    const v = this.layer.config[key];
    if (v === undefined || v === null) return fallback ?? this.bad(key, 'a number');
    return typeof v === 'number' ? v : this.bad(key, 'a number');
  }

  /** A number that may be null (ReLU's max_value). */
  optionalNumber(key: string): number | null {
    const v = this.layer.config[key];
    if (v === undefined || v === null) return null;
    return typeof v === 'number' ? v : this.bad(key, 'a number or null');
  }

  /** A string. */
  string(key: string, fallback?: string): string {
    const v = this.layer.config[key];
    if (v === undefined || v === null) return fallback ?? this.bad(key, 'a string');
    return typeof v === 'string' ? v : this.bad(key, 'a string');
  }

  /** A boolean. */
  bool(key: string, fallback: boolean): boolean {
    const v = this.layer.config[key];
    if (v === undefined || v === null) return fallback;
    return typeof v === 'boolean' ? v : this.bad(key, 'a boolean');
  }

  /** A pair of ints, accepting a single int for both (Keras allows either). */
  pair(key: string, fallback?: [number, number]): [number, number] {
    const v = this.layer.config[key];
    if (v === undefined || v === null) return fallback ?? this.bad(key, 'an int pair');
    if (typeof v === 'number') return [v, v];
    if (Array.isArray(v) && v.length === 2 && v.every(Number.isInteger)) return [v[0], v[1]];
    return this.bad(key, 'an int pair');
  }

  /** Any JSON value. */
  raw(key: string): unknown {
    return this.layer.config[key];
  }
}
