/**
 * @fileoverview The one error type users see: a stable code (compiler/error-codes.ts) and the file, node and op, so
 * the CLI can print the design's error line and callers can switch on the code.
 */
import type { ErrorCode } from './error-codes.ts';

export type { ErrorCode } from './error-codes.ts';

/** Where in a model a problem is: the file always when known, the node and its op when the problem is in one. */
export interface ErrorPlace {
  file?: string;
  node?: string;
  op?: string;
}

/** A problem with the user's input (model, image, tensor file, flags): printed as one line, exit code 2, no stack. */
export class TinyedgeError extends Error {
  /** What kind of problem this is, from the table in compiler/error-codes.ts. */
  readonly code: ErrorCode;
  readonly place: ErrorPlace;

  constructor(code: ErrorCode, message: string, place: ErrorPlace = {}) {
    super(message);
    this.name = 'TinyedgeError';
    this.code = code;
    this.place = place;
  }

  /** The same error with missing parts of its place filled in (inner code knows the node, outer code the file). */
  within(outer: ErrorPlace): TinyedgeError {
    return new TinyedgeError(this.code, this.message, { ...outer, ...definedOnly(this.place) });
  }

  /** The same error placed at `outer` wherever `outer` says something (a frontend names the user's node and op, not the IR's). */
  at(outer: ErrorPlace): TinyedgeError {
    return new TinyedgeError(this.code, this.message, { ...this.place, ...definedOnly(outer) });
  }

  /** `<file>: node '<name>' (<op>): <what is wrong>`, leaving out the parts that are unknown. */
  describe(): string {
    const parts: string[] = [];
    if (this.place.file) parts.push(this.place.file);
    if (this.place.node !== undefined)
      parts.push(`node '${this.place.node}'${this.place.op ? ` (${this.place.op})` : ''}`);
    else if (this.place.op) parts.push(`op ${this.place.op}`);
    parts.push(this.message);
    return parts.join(': ');
  }
}

function definedOnly(place: ErrorPlace): ErrorPlace {
  const out: ErrorPlace = {};
  if (place.file !== undefined) out.file = place.file;
  if (place.node !== undefined) out.node = place.node;
  if (place.op !== undefined) out.op = place.op;
  return out;
}

/**
 * Runs `fn`, placing any TinyedgeError it throws. By default inner details win (the IR node that failed);
 * `atSource` makes `place` win, for frontends, whose errors must name the user's node and op, not the IR's.
 */
export function withPlace<T>(place: ErrorPlace, fn: () => T, atSource = false): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TinyedgeError) throw atSource ? e.at(place) : e.within(place);
    throw e;
  }
}
