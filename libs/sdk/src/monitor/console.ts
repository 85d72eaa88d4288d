type Write = typeof process.stdout.write;

/**
 * Tees stdout and stderr, line by line, into a callback while still writing
 * them to the terminal. Returns a function that restores the originals.
 */
export function captureConsole(onLine: (stream: 'stdout' | 'stderr', line: string) => void): () => void {
  const restore: Array<() => void> = [];
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original: Write = stream.write.bind(stream);
    let pending = '';
    let inside = false;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (!inside) {
        inside = true;
        try {
          pending += typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) onLine(name, line);
        } finally {
          inside = false;
        }
      }
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as Write;
    restore.push(() => {
      stream.write = original;
      if (pending) onLine(name, pending);
    });
  }
  return () => restore.forEach((r) => r());
}
