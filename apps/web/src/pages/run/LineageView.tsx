import type { LineageGraph, LineageNode, RunDetail } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { lazy, Suspense } from 'react';
import { Link } from 'react-router';
import { useResource } from '../../api/hooks';
import { ErrorBox, StateBadge } from '../../components/ui';
import { AssetDetails } from './AssetDetails';

// The layout library loads with the tab that draws the graph, not with every page.
const LineageGraph = lazy(() => import('./LineageGraph'));

/**
 * The lineage around the run drawn as a graph (a few hops up and down, nodes
 * clickable), then its inputs and outputs (datasets and models it named,
 * artifact versions it logged or used) and the runs upstream and downstream.
 */
export function LineageView({ run, org, project }: { run: RunDetail; org: string; project: string }) {
  const graph = useResource<LineageGraph>(`${paths.lineage(org, project)}?run=${encodeURIComponent(run.key)}&direction=both&depth=4`);
  const nodes = new Map((graph.data?.nodes ?? []).map((n) => [n.id, n]));
  const self = `run:${run.id}`;
  const artifactsBy = (kind: 'input' | 'output') =>
    (graph.data?.edges ?? [])
      .filter((e) => e.kind === kind && (kind === 'input' ? e.to === self : e.from === self))
      .map((e) => nodes.get(kind === 'input' ? e.from : e.to))
      .filter((n): n is LineageNode & { artifact: NonNullable<LineageNode['artifact']> } => Boolean(n?.artifact));
  const related = (graph.data?.nodes ?? []).filter((n) => n.run && n.id !== self);
  // Fork edges: parent → fork, with the step the fork inherits through.
  const forkOf = new Map((graph.data?.edges ?? []).filter((e) => e.kind === 'fork').map((e) => [e.to, e]));
  const forkNote = (id: string) => {
    const asChild = forkOf.get(id);
    if (asChild && asChild.from === self) return ` · fork of this run at step ${asChild.step}`;
    const mine = forkOf.get(self);
    if (mine && mine.from === id) return ` · this run forked from it at step ${mine.step}`;
    if (asChild) return ` · fork of ${nodes.get(asChild.from)?.run?.key ?? 'a run'} at step ${asChild.step}`;
    return '';
  };
  const render = (list: RunDetail['inputs'], artifacts: ReturnType<typeof artifactsBy>) =>
    list.length || artifacts.length ? (
      <ul className="list">
        {artifacts.map(({ artifact: a }) => (
          <li key={a.id}>
            <strong>{a.kind}</strong>{' '}
            <Link to={`/${org}/${project}/artifacts/${encodeURIComponent(a.name)}/${a.version}`}>
              {a.name}:{a.version}
            </Link>
          </li>
        ))}
        {list.map((a) => (
          <li key={String(a.id)}>
            <AssetDetails asset={a} />
          </li>
        ))}
      </ul>
    ) : (
      <p className="muted">None</p>
    );
  return (
    <>
      <h3>Lineage</h3>
      {graph.data && graph.data.nodes.length > 1 ? (
        <Suspense fallback={<div className="skeleton" aria-busy="true" style={{ height: 160 }} />}>
          <LineageGraph key={graph.data.root} graph={graph.data} org={org} project={project} />
        </Suspense>
      ) : graph.data ? (
        <p className="muted">Nothing links this run to data or other runs yet.</p>
      ) : (
        !graph.error && <div className="skeleton" aria-busy="true" style={{ height: 160 }} />
      )}
      <div className="two-col">
        <div>
          <h3>Inputs</h3>
          {render(run.inputs, artifactsBy('input'))}
        </div>
        <div>
          <h3>Outputs</h3>
          {render(run.outputs, artifactsBy('output'))}
        </div>
        <div>
          <h3>Related runs</h3>
          <ErrorBox error={graph.error} />
          {related.length ? (
            <ul className="list">
              {related.map((n) => (
                <li key={n.id}>
                  <Link to={`/${org}/${project}/runs/${n.run!.key}`}>{n.run!.key}</Link> {n.run!.name} <StateBadge state={n.run!.state} />
                  <span className="muted">{forkNote(n.id)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No runs share a dataset, model or artifact with this one, or fork it.</p>
          )}
        </div>
      </div>
    </>
  );
}
