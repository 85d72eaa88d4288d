import type { CreateReportRequest, ReportBlock } from '@trackbase/contracts';
import { REPORT_LIMITS } from '@trackbase/contracts';
import { namespaceOf, type PanelLayout } from '../panels/layout';
import { newBlockId } from './api';

/**
 * A report from the compare view: the runs compared become every panel's run
 * set (a fixed list), the view's line panels become line panels (its own
 * panels first, then one per remaining metric as the view derives them, less
 * the sections it hid), and a runs table shows their params and last values.
 */
export function reportFromCompare(project: string, runKeys: string[], metricNames: string[], layout: PanelLayout): CreateReportRequest {
  const runSet = { project, runs: runKeys.slice(0, REPORT_LIMITS.runsPerSet) };
  const known = new Set(metricNames);
  const panels: ReportBlock[] = [];
  const covered = new Set<string>();
  for (const section of layout.sections)
    for (const panel of section.panels) {
      if (panel.type !== 'line') continue;
      const metrics = panel.metrics.filter((m) => known.has(m)).slice(0, REPORT_LIMITS.metricsPerPanel);
      if (!metrics.length) continue;
      metrics.forEach((m) => covered.add(m));
      panels.push({ id: newBlockId('p'), type: 'line', ...(panel.title ? { title: panel.title } : {}), runSet, metrics });
    }
  const explicitSections = new Set(layout.sections.map((s) => s.name));
  for (const name of metricNames) {
    const section = namespaceOf(name);
    if (covered.has(name) || explicitSections.has(section) || layout.hidden.includes(section)) continue;
    panels.push({ id: newBlockId('p'), type: 'line', runSet, metrics: [name] });
  }
  const intro: ReportBlock = {
    id: newBlockId('t'),
    type: 'text',
    markdown: `## Comparison of ${runKeys.length} runs\n\n${runKeys.join(', ')}`,
  };
  const table: ReportBlock = {
    id: newBlockId('p'),
    type: 'runs',
    title: 'Runs',
    runSet,
    metrics: metricNames.slice(0, REPORT_LIMITS.metricsPerPanel),
  };
  return {
    title: `Comparison of ${runKeys.slice(0, 5).join(', ')}${runKeys.length > 5 ? ` and ${runKeys.length - 5} more` : ''}`,
    blocks: [intro, ...panels.slice(0, REPORT_LIMITS.blocks - 2), table],
  };
}
