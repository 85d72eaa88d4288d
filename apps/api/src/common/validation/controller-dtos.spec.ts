import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(__dirname, '..', '..');

function controllers(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return controllers(path);
    return entry.name.endsWith('.controller.ts') ? [path] : [];
  });
}

/** What a controller may not hold: a zod schema or a DTO class of its own, or a second parse of what the pipe parsed. */
const RULES: Array<[string, RegExp]> = [
  ['a zod import (schemas belong in dto/ or libs/contracts)', /from 'zod'/],
  ['an inline zod schema', /\bz\.(object|strictObject|looseObject|string|number|enum|array|union|coerce)\(/],
  ["a DTO class (DTOs live in the domain's dto/)", /extends createZodDto\(/],
  ['a second parse of a request the validation pipe already parsed', /\b\w+Schema\.(parse|safeParse)\(/],
];

function offences(text: string): string[] {
  return RULES.filter(([, pattern]) => pattern.test(text)).map(([what]) => what);
}

describe('controllers', () => {
  const files = controllers(src);

  it('keep their DTOs in dto/ and never parse a body again', () => {
    const found = files.flatMap((file) => offences(readFileSync(file, 'utf8')).map((what) => `${relative(src, file)}: ${what}`));
    expect(found).toEqual([]);
    expect(files.length).toBeGreaterThan(30);
  });

  it('the rules catch what they are meant to (the scan would pass vacuously if they broke)', () => {
    expect(offences("import { z } from 'zod';")).toHaveLength(1);
    expect(offences('class ParamDto extends createZodDto(z.object({ id: z.uuid() })) {}')).toHaveLength(2);
    expect(offences('return this.reports.update(ctx, id, updateReportRequestSchema.parse(body));')).toHaveLength(1);
    expect(offences('list(@Ctx() ctx: RequestContext, @Query() query: ListQueryDto) {')).toEqual([]);
  });
});
