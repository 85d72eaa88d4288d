import type { FileDeclaration } from '@trackbase/contracts';
import { normalizeFilePath } from './object-keys';
import { duplicatePath } from './storage.errors';

/** Normalises every declared path and refuses two declarations of one path. */
export function normalizeDeclarations(declared: FileDeclaration[]): FileDeclaration[] {
  const seen = new Set<string>();
  return declared.map((f) => {
    const path = normalizeFilePath(f.path);
    if (seen.has(path)) throw duplicatePath(path);
    seen.add(path);
    return { ...f, path };
  });
}
