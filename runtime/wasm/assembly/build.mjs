// Compiles the runtime's hand-written WASM parts (AssemblyScript, one module per entry file) into build/<name>.wasm.
// npm runs it on install (the `prepare` script), so a fresh clone has the modules before any test or CLI needs them.
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'build');
await mkdir(outDir, { recursive: true });
const entries = (await readdir(here)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
for (const entry of entries) {
  const name = entry.slice(0, -'.ts'.length);
  // The stub runtime never frees: the modules allocate nothing at run time, the loader hands them fixed buffers.
  const { error, stderr } = await asc.main([
    join(here, entry),
    '--outFile',
    join(outDir, `${name}.wasm`),
    '--optimizeLevel',
    '3',
    '--shrinkLevel',
    '1',
    '--runtime',
    'stub',
    '--noAssert',
    '--enable',
    'simd',
  ]);
  if (error) {
    console.error(`runtime/wasm/assembly/${entry}: ${error.message}\n${stderr.toString()}`);
    process.exit(1);
  }
}
