import { describe, expect, it } from 'vitest';
import { parseMentions } from './mentions';

describe('parseMentions', () => {
  it('finds link mentions and email mentions, once each', () => {
    const id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    const body = `Nice run @[Ada Lovelace](user:${id}) and @bob@example.com! cc @[Ada](user:${id.toUpperCase()}), (@Carol@Example.org)`;
    expect(parseMentions(body)).toEqual({ userIds: [id], emails: ['bob@example.com', 'carol@example.org'] });
  });

  it('ignores emails that are not mentions and malformed links', () => {
    expect(parseMentions('write to bob@example.com or @[x](user:not-a-uuid)')).toEqual({ userIds: [], emails: [] });
  });
});
