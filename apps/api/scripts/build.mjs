// Builds the API with SWC: a transpile of each file (type checking is the
// `typecheck` target's job), about ten times faster than `tsc` on our machines.
// SWC emits the decorator metadata NestJS and TypeORM read, as tsc does; the
// layout of dist/ is the one tsc produced (rootDir = the repository).
import { transformFile } from '@swc/core';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const project = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(project, '../..');
const out = join(project, 'dist');

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !/\.(spec|int-spec|d)\.ts$/.test(entry.name) ? [path] : [];
  });
}

const options = {
  sourceMaps: true,
  module: { type: 'commonjs', strict: true, ignoreDynamic: true },
  jsc: {
    target: 'es2022',
    keepClassNames: true,
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
  },
};

const started = Date.now();
rmSync(out, { recursive: true, force: true });
const files = sources(join(project, 'src'));
await Promise.all(
  files.map(async (file) => {
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    const { code, map } = await transformFile(file, { ...options, filename: file, sourceFileName: relative(dirname(target), file) });
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (map) writeFileSync(`${target}.map`, map);
  }),
);
console.log(`built ${files.length} files into ${relative(root, out)} in ${Date.now() - started} ms`);
