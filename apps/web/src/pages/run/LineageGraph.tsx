import dagre from '@dagrejs/dagre';
import type { LineageGraph as Graph, LineageNode } from '@trackbase/contracts';
import { useMemo, useState, type KeyboardEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { AssetDetails } from './AssetDetails';

const NODE_W = 190;
const NODE_H = 46;
const MAX_LABEL = 24;

interface Placed {
  node: LineageNode;
  x: number;
  y: number;
}

/** What a node reads as: its kind above, its key or name@version below. */
function describe(n: LineageNode): { kind: string; label: string; detail: string } {
  if (n.run) return { kind: 'run', label: n.run.key, detail: `${n.run.name} · ${n.run.state}` };
  if (n.artifact) return { kind: n.artifact.kind, label: `${n.artifact.name}:${n.artifact.version}`, detail: 'artifact' };
  const a = n.asset!;
  return { kind: a.kind, label: `${a.name}@${a.version}`, detail: '' };
}

const clip = (s: string, max = MAX_LABEL) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Left to right with the data flow: producers before what they made, consumers after it. */
export function layoutLineage(graph: Graph): { placed: Placed[]; edges: Array<{ points: Array<{ x: number; y: number }>; kind: string }> } {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 56, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(graph.nodes.map((n) => n.id));
  for (const n of graph.nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  const edges = graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
  for (const e of edges) g.setEdge(e.from, e.to, { kind: e.kind });
  dagre.layout(g);
  const placed = graph.nodes.map((node) => {
    const { x, y } = g.node(node.id);
    return { node, x: x - NODE_W / 2, y: y - NODE_H / 2 };
  });
  return {
    placed,
    edges: g.edges().map((e) => ({ points: g.edge(e).points ?? [], kind: String((g.edge(e) as { kind?: string }).kind) })),
  };
}

function path(points: Array<{ x: number; y: number }>): string {
  if (!points.length) return '';
  const [first, ...rest] = points;
  return `M${first!.x},${first!.y} ` + rest.map((p) => `L${p.x},${p.y}`).join(' ');
}

/**
 * The lineage neighbourhood as a graph: datasets, models and artifact versions with the runs that produced and
 * read them. A run node opens that run's lineage (so the graph can be followed run by run), an artifact its version
 * page, a dataset or model its recorded details beside the graph. Every node is reachable with Tab and opens with
 * Enter or Space.
 */
export default function LineageGraph({ graph, org, project }: { graph: Graph; org: string; project: string }) {
  const navigate = useNavigate();
  const [selected, setSelected] = useState<string | null>(null);
  const { placed, edges } = useMemo(() => layoutLineage(graph), [graph]);
  const width = Math.max(NODE_W + 16, ...placed.map((p) => p.x + NODE_W + 8));
  const height = Math.max(NODE_H + 16, ...placed.map((p) => p.y + NODE_H + 8));
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const chosen = selected ? byId.get(selected) : undefined;

  const open = (n: LineageNode) => {
    if (n.run) void navigate(`/${org}/${n.run.projectSlug}/runs/${n.run.key}?tab=lineage`);
    else if (n.artifact) void navigate(`/${org}/${project}/artifacts/${encodeURIComponent(n.artifact.name)}/${n.artifact.version}`);
    else setSelected((s) => (s === n.id ? null : n.id));
  };
  const onKey = (event: KeyboardEvent, n: LineageNode) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    open(n);
  };
  const neighbours = (id: string, side: 'from' | 'to') =>
    graph.edges
      .filter((e) => (side === 'from' ? e.to === id : e.from === id))
      .map((e) => byId.get(side === 'from' ? e.from : e.to))
      .filter((n): n is LineageNode => !!n?.run);

  return (
    <div className="lineage-graph">
      <div className="lineage-canvas">
        <svg
          role="group"
          aria-label="Lineage graph"
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          data-nodes={graph.nodes.length}
          data-edges={edges.length}
        >
          <defs>
            <marker id="lineage-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" className="lineage-arrow" />
            </marker>
          </defs>
          {edges.map((e, i) => (
            <path key={i} d={path(e.points)} className={`lineage-edge lineage-edge-${e.kind}`} markerEnd="url(#lineage-arrow)" />
          ))}
          {placed.map(({ node, x, y }) => {
            const d = describe(node);
            const root = node.id === graph.root;
            const name = `${d.kind} ${d.label}${node.run ? ` ${node.run.name}` : ''}`;
            return (
              <g
                key={node.id}
                className={`lineage-node lineage-${node.type}${root ? ' lineage-root' : ''}${selected === node.id ? ' lineage-selected' : ''}`}
                transform={`translate(${x},${y})`}
                role={node.run || node.artifact ? 'link' : 'button'}
                aria-label={root ? `${name} (this run)` : name}
                aria-pressed={node.asset ? selected === node.id : undefined}
                aria-current={root ? 'page' : undefined}
                data-node={node.id}
                tabIndex={0}
                onClick={() => open(node)}
                onKeyDown={(event) => onKey(event, node)}
              >
                <title>{[d.kind, d.label, d.detail].filter(Boolean).join(' · ')}</title>
                <rect width={NODE_W} height={NODE_H} rx={node.run ? 6 : 18} />
                <text x={12} y={17} className="lineage-kind">
                  {d.kind}
                  {node.run ? ` · ${node.run.state}` : ''}
                </text>
                <text x={12} y={35} className="lineage-label">
                  {clip(node.run ? `${d.label} ${node.run.name}` : d.label)}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      {graph.truncated && (
        <p className="muted" role="note">
          Showing the {graph.nodes.length} nearest nodes; the lineage goes on beyond them.
        </p>
      )}
      {chosen?.asset && (
        <aside className="lineage-aside" aria-label={`Selected ${chosen.asset.kind}`}>
          <AssetDetails asset={chosen.asset} />
          <RunList title="Produced by" runs={neighbours(chosen.id, 'from')} org={org} />
          <RunList title="Read by" runs={neighbours(chosen.id, 'to')} org={org} />
        </aside>
      )}
    </div>
  );
}

function RunList({ title, runs, org }: { title: string; runs: LineageNode[]; org: string }) {
  if (!runs.length) return null;
  return (
    <div>
      <strong>{title}</strong>
      <ul className="list">
        {runs.map((n) => (
          <li key={n.id}>
            <Link to={`/${org}/${n.run!.projectSlug}/runs/${n.run!.key}?tab=lineage`}>{n.run!.key}</Link> {n.run!.name}
          </li>
        ))}
      </ul>
    </div>
  );
}
