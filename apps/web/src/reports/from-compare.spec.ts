import { reportBlockSchema } from '@trackbase/contracts';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUT, type PanelLayout } from '../panels/layout';
import { reportFromCompare } from './from-compare';

describe('save as report from the compare view', () => {
  it('binds every panel to the compared runs: the view’s own line panels, one per other metric, less hidden sections, and a runs table', () => {
    const layout: PanelLayout = {
      ...DEFAULT_LAYOUT,
      sections: [
        {
          id: 's1',
          name: 'Training',
          panels: [
            { id: 'a', type: 'line', title: 'Both losses', metrics: ['train/loss', 'val/loss'], x: 'step', w: 6, h: 200 },
            { id: 'b', type: 'scatter', param: 'lr', metric: 'val/loss', w: 4, h: 200 },
          ],
        },
      ],
      hidden: ['sys'],
    };
    const report = reportFromCompare('vision', ['VIS-1', 'VIS-2'], ['acc', 'sys/gpu', 'train/loss', 'val/loss'], layout);
    expect(report.title).toBe('Comparison of VIS-1, VIS-2');
    const blocks = report.blocks!.map((b) => reportBlockSchema.parse(b));
    expect(blocks.map((b) => b.type)).toEqual(['text', 'line', 'line', 'runs']);
    const [, own, derived, table] = blocks;
    expect(own).toMatchObject({
      title: 'Both losses',
      metrics: ['train/loss', 'val/loss'],
      runSet: { project: 'vision', runs: ['VIS-1', 'VIS-2'] },
    });
    expect(derived).toMatchObject({ metrics: ['acc'], runSet: { runs: ['VIS-1', 'VIS-2'] } });
    expect(table).toMatchObject({ type: 'runs', metrics: ['acc', 'sys/gpu', 'train/loss', 'val/loss'] });
    expect(new Set(blocks.map((b) => b.id)).size).toBe(blocks.length);
  });
});
