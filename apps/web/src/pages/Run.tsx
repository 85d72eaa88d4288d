import type { Project, RunDetail } from '@trackbase/contracts';
import { paths, ProjectPermission } from '@trackbase/contracts';
import { Link, useParams, useSearchParams } from 'react-router';
import { useResource } from '../api/hooks';
import { can } from '../api/permissions';
import { useFollow } from '../live/socket';
import { ErrorBox, Loading, StateBadge } from '../components/ui';
import { RunCharts } from './RunCharts';
import { CommentsPanel } from '../components/Comments';
import { ReadmeCard } from '../components/Readme';
import { ConsoleView } from './run/ConsoleView';
import { FilesTab } from './run/FilesTab';
import { MediaPanel } from '../components/media/MediaPanel';
import { useStoredLayout } from '../panels/useStoredLayout';
import { LineageView } from './run/LineageView';
import { Overview } from './run/Overview';
import { ParamsView } from './run/ParamsView';
import { TablesTab } from './run/TablesTab';

const TABS = ['overview', 'charts', 'media', 'system', 'params', 'context', 'console', 'files', 'tables', 'lineage', 'comments'] as const;
type Tab = (typeof TABS)[number];

export function RunPage() {
  const { org = '', project = '', run = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const tab: Tab = TABS.find((t) => t === search.get('tab')) ?? 'overview';
  const detail = useResource<RunDetail>(paths.run(org, project, run));
  const info = useResource<Project>(paths.project(org, project));
  // Points arrive through the charts' own follow (refreshed by cursor); this one keeps the header current.
  useFollow(detail.data ? { org, project } : null, {
    onRunChanged: (event) => event.runId === detail.data?.id && detail.reload(),
  });

  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <Loading what="Loading run" />;
  const r = detail.data;
  return (
    <section>
      <div className="title-row">
        <h1>
          <Link to={`/${org}/${project}`}>{project}</Link> / {r.key} <span className="muted">{r.name}</span> <StateBadge state={r.state} />
        </h1>
      </div>
      <nav className="tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t}
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'active' : ''}
            onClick={() => setSearch(t === 'overview' ? {} : { tab: t })}
          >
            {t}
          </button>
        ))}
      </nav>
      {tab === 'overview' && (
        <>
          <ReadmeCard
            path={paths.runReadme(org, project, r.key)}
            scope={{ org, project }}
            canWrite={can(info.data, ProjectPermission.RunsWrite)}
            label="Run README"
          />
          <Overview run={r} canWrite={can(info.data, ProjectPermission.RunsWrite)} onSaved={detail.reload} org={org} project={project} />
        </>
      )}
      {tab === 'charts' && <RunCharts org={org} project={project} run={r} kind="metric" />}
      {tab === 'media' && <RunMedia org={org} project={project} run={{ id: r.id, key: r.key }} />}
      {tab === 'system' && <RunCharts org={org} project={project} run={r} kind="system" />}
      {tab === 'params' && <ParamsView params={r.params} />}
      {tab === 'context' && <pre className="code">{JSON.stringify(r.context, null, 2)}</pre>}
      {tab === 'console' && <ConsoleView org={org} project={project} run={r.id} />}
      {tab === 'files' && <FilesTab org={org} project={project} run={r.key} canWrite={can(info.data, ProjectPermission.ArtifactsWrite)} />}
      {tab === 'tables' && <TablesTab org={org} project={project} run={r.key} />}
      {tab === 'lineage' && <LineageView run={r} org={org} project={project} />}
      {tab === 'comments' && (
        <CommentsPanel
          org={org}
          project={project}
          run={r.key}
          canWrite={can(info.data, ProjectPermission.CommentsWrite)}
          canModerate={can(info.data, ProjectPermission.Update)}
        />
      )}
    </section>
  );
}

/** The run page's media panel; its x axis is kept with the project's run-page layout in this browser. */
function RunMedia({ org, project, run }: { org: string; project: string; run: { id: string; key: string } }) {
  const [layout, setLayout] = useStoredLayout(`${org}/${project}/run-media`);
  return (
    <MediaPanel
      org={org}
      project={project}
      runs={[run]}
      axis={layout.media?.axis}
      onAxisChange={(axis) => setLayout({ ...layout, media: { axis } })}
    />
  );
}
