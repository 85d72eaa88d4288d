// Preloaded into the API by small-batches.ts (BENCH_COUNT_QUERIES=<file>): counts the statements
// node-pg sends, by their first words, and writes the tally to that file when the process exits.
const { writeFileSync } = require('node:fs');
const pg = require(require.resolve('pg', { paths: [process.cwd() + '/apps/api', process.cwd()] }));
const counts = new Map();
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : config && config.text;
  if (typeof text === 'string') {
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 60);
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  return original.call(this, config, ...rest);
};
process.on('exit', () => {
  const rows = [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}\t${k}`);
  writeFileSync(process.env.BENCH_COUNT_QUERIES, rows.join('\n') + '\n');
});
