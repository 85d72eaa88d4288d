import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(entry.name) ? [path] : [];
  });
}

/**
 * A decision on the caller's own role written by hand: their org or project role (`ctx.organization.role`,
 * `ctx.currentProject.role`, `org.role`, `project?.role`, ...) compared with a value, or the role matrix read directly.
 */
const HAND_WRITTEN = [
  /\b(organization|currentProject|org|project)\??\.role\s*[!=]==?/,
  /[!=]==?\s*[\w.?]*\b(organization|currentProject|org|project)\??\.role\b/,
  /\b(ORG_ROLE_PERMISSIONS|PROJECT_ROLE_PERMISSIONS|ORG_ROLES_MAINTAINING_EVERY_PROJECT)\b/,
];

describe('role checks in the API', () => {
  const files = sourceFiles(src);

  it('go through the access helper (ctx.can, AccessService, common/access/permissions), never by hand', () => {
    const outside = files
      .filter((file) => !relative(src, file).startsWith('common/access/'))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${relative(src, file)}:${i + 1}` }))
          .filter(({ line }) => HAND_WRITTEN.some((pattern) => pattern.test(line)))
          .map(({ at }) => at),
      );
    expect(outside).toEqual([]);
  });

  it('the patterns find the checks they are meant to (the scan would pass vacuously if they broke)', () => {
    for (const line of [
      "if (ctx.organization.role !== 'owner') throw ownerOnly();",
      "const admin = ctx.organization.role === 'owner' || ctx.organization.role === 'admin';",
      "if (ctx.project?.role === 'maintainer') return;",
      'return PROJECT_ROLE_PERMISSIONS[scope.role].includes(p);',
    ])
      expect(
        HAND_WRITTEN.some((pattern) => pattern.test(line)),
        line,
      ).toBe(true);
    // A member's role as data (the row being changed, not the caller) is not a check of the caller.
    expect(HAND_WRITTEN.some((pattern) => pattern.test("if (member.role === 'owner') await this.assertAnotherOwner(ctx);"))).toBe(false);
  });
});
