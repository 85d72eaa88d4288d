import type { RunDetail } from '@trackbase/contracts';
import { useMemo } from 'react';
import { PanelArea } from '../panels/PanelArea';
import { useStoredLayout } from '../panels/useStoredLayout';

/**
 * A run's metrics (or system metrics, drawn against wall time) with the same
 * panel mechanism as the project workspace: a grid of panels per namespace,
 * several metrics overlaid in one panel, layout kept per project.
 */
export function RunCharts({ org, project, run, kind }: { org: string; project: string; run: RunDetail; kind: 'metric' | 'system' }) {
  const [layout, setLayout] = useStoredLayout(`${org}/${project}/run-${kind}`, kind === 'system' ? { settings: { x: 'time' } } : undefined);
  const runs = useMemo(() => [{ id: run.id, key: run.key, name: run.name, number: run.number }], [run.id, run.key, run.name, run.number]);
  return <PanelArea org={org} project={project} runs={runs} kind={kind} layout={layout} onLayoutChange={setLayout} maxPoints={1000} />;
}
