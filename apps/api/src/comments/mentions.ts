const LINK = /@\[[^\]\n]{1,200}\]\(user:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)/gi;
const EMAIL = /(?:^|[\s(])@([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24})/g;

/** Who a Markdown body mentions: `@[Name](user:<uuid>)` links and `@person@example.com`. */
export function parseMentions(body: string): { userIds: string[]; emails: string[] } {
  const userIds = new Set<string>();
  const emails = new Set<string>();
  for (const match of body.matchAll(LINK)) userIds.add(match[1]!.toLowerCase());
  for (const match of body.matchAll(EMAIL)) emails.add(match[1]!.toLowerCase());
  return { userIds: [...userIds].slice(0, 50), emails: [...emails].slice(0, 50) };
}
