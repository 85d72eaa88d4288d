/**
 * Run colours: 20 colours chosen to stay distinguishable on white and dark
 * backgrounds (Tableau 20 reordered so neighbours differ in hue), assigned by
 * the run's number so a run keeps its colour across the table, the workspace,
 * the compare page and reloads.
 */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
  '#aec7e8',
  '#ffbb78',
  '#98df8a',
  '#ff9896',
  '#c5b0d5',
  '#c49c94',
  '#f7b6d2',
  '#9edae5',
  '#dbdb8d',
  '#393b79',
] as const;

/** A run's colour from its number (or, without one, a hash of its id). */
export function runColor(run: { number?: number; id: string }): string {
  const n = run.number ?? hash(run.id);
  // Stepping by 7 (coprime with 20) keeps consecutive runs far apart in the palette.
  return PALETTE[((((n - 1) * 7) % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

/** A group's colour from its position among the groups. */
export function groupColor(index: number): string {
  return PALETTE[index % 10]!;
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/** `#rrggbb` with an alpha, for bands and faint raw lines. */
export function withAlpha(color: string, alpha: number): string {
  const a = Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0');
  return `${color}${a}`;
}
