import { describe, expect, it } from 'vitest';
import { movePanel } from './arrange';
import { DEFAULT_LAYOUT, type Panel, type PanelLayout, type Section } from './layout';

const line = (id: string): Panel => ({ id, type: 'line', metrics: [id], x: 'step', w: 4, h: 200 });
const section = (name: string, ids: string[]): Section => ({ id: name, name, panels: ids.map(line) });
const ids = (layout: PanelLayout, name: string) => layout.sections.find((s) => s.name === name)?.panels.map((p) => p.id);

describe('movePanel', () => {
  const explicit = section('mine', ['a', 'b', 'c']);
  const layout: PanelLayout = { ...DEFAULT_LAYOUT, sections: [explicit] };
  const shown = [explicit, section('train', ['t1', 't2'])];

  it('reorders within a section', () => {
    expect(ids(movePanel(layout, shown, 'a', 'mine', 2), 'mine')).toEqual(['b', 'c', 'a']);
    expect(ids(movePanel(layout, shown, 'c', 'mine', 0), 'mine')).toEqual(['c', 'a', 'b']);
  });

  it('moves between sections, making a derived one explicit', () => {
    const moved = movePanel(layout, shown, 't2', 'mine', 1);
    expect(ids(moved, 'mine')).toEqual(['a', 't2', 'b', 'c']);
    expect(ids(moved, 'train')).toEqual(['t1']);
    expect(moved.sections.map((s) => s.name)).toEqual(['mine', 'train']);
  });

  it('drops at the end past the last index, and leaves the layout alone for no move or unknown names', () => {
    expect(ids(movePanel(layout, shown, 'a', 'train', 99), 'train')).toEqual(['t1', 't2', 'a']);
    expect(movePanel(layout, shown, 'b', 'mine', 1)).toBe(layout);
    expect(movePanel(layout, shown, 'zz', 'mine', 0)).toBe(layout);
    expect(movePanel(layout, shown, 'a', 'nowhere', 0)).toBe(layout);
  });
});
