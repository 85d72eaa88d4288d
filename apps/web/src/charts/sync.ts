/**
 * Shared state of the charts in one panel area: the crosshair (uPlot's cursor
 * sync, by key) and the x-range of a zoom, which every chart with the same
 * x axis follows. A zoom is a step range the owner may re-read at full detail.
 */
export type XRange = { from: number; to: number } | null;

export class ChartSync {
  readonly key = `sync-${Math.random().toString(36).slice(2)}`;
  private readonly listeners = new Set<(range: XRange, axis: string) => void>();
  range: XRange = null;
  axis = 'step';

  subscribe(listener: (range: XRange, axis: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  zoom(range: XRange, axis: string): void {
    this.range = range;
    this.axis = axis;
    for (const l of this.listeners) l(range, axis);
  }
}
