import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: ParsedMail['headers'];
  /** The raw List-Unsubscribe header (mailparser parses it into an object). */
  listUnsubscribe: string | undefined;
  /** A header as sent (its first occurrence), by lower-case name. */
  rawHeader(name: string): string | undefined;
  /** Every http(s) link of the text version. */
  links: string[];
}

export interface TestSmtp {
  url: string;
  messages: CapturedMail[];
  /** The first message (in arrival order) that matches, waiting for it to arrive. */
  next(match: (mail: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server from nodemailer's authors) on a free port; messages parsed with mailparser. */
export async function startTestSmtp(): Promise<TestSmtp> {
  const messages: CapturedMail[] = [];
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) =>
            a.value.map((v) => v.address ?? ''),
          );
          const text = parsed.text ?? '';
          const rawHeader = (name: string) => {
            const line = parsed.headerLines.find((h) => h.key === name)?.line;
            return line?.slice(line.indexOf(':') + 1).trim();
          };
          messages.push({
            to,
            subject: parsed.subject ?? '',
            text,
            html: typeof parsed.html === 'string' ? parsed.html : '',
            headers: parsed.headers,
            listUnsubscribe: rawHeader('list-unsubscribe'),
            rawHeader,
            links: [...text.matchAll(/https?:\/\/[^\s<>]+/g)].map((m) => m[0]),
          });
          for (const wake of waiters.splice(0)) wake();
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async next(match, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(match);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no matching email among ${messages.length}: ${messages.map((m) => m.subject).join(' | ')}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 500);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
