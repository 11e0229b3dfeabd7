/**
 * @fileoverview The benchmark's peers (onnxruntime-node and -web, the TF.js converter, layers and wasm backend) are
 * optional peer dependencies: a project that installs tinyedge to compile does not get them. Each is imported here,
 * lazily, so a missing one is one clear error line naming the package and how to install it, not a stack trace at start-up.
 */
import { TinyedgeError } from '../../compiler/errors.ts';

/** The optional packages only the peers use (package.json's optional peerDependencies). */
export type OptionalPackage =
  | 'onnxruntime-node'
  | 'onnxruntime-web'
  | '@tensorflow/tfjs-backend-wasm'
  | '@tensorflow/tfjs-converter'
  | '@tensorflow/tfjs-layers';

/** True when `e` says that `name` itself (not something it imports) cannot be found. */
function isMissing(e: unknown, name: string): boolean {
  const err = e as { code?: string; message?: string };
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' && err?.code !== 'MODULE_NOT_FOUND') return false;
  return err.message?.includes(`'${name}'`) ?? false;
}

/**
 * Runs `load` (an `import()` of `name`, written at the call site so types and bundlers see it) and turns a missing
 * package into a TinyedgeError: `bench needs the optional package 'onnxruntime-node' (npm install onnxruntime-node)`.
 */
export async function importOptional<T>(name: OptionalPackage, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (isMissing(e, name))
      throw new TinyedgeError('TE901', `bench needs the optional package '${name}' (npm install ${name})`);
    throw e;
  }
}
