import type { Report, ReportBlock, ReportHistory, ReportVersion } from '@trackbase/contracts';
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ErrorBox, formatTime, Loading } from '../../components/ui';
import { reportsApi, saveHtmlFile, unwrap } from '../../reports/api';
import { ReportBlocks } from '../../reports/ReportBlocks';
import { ReportEditor } from '../../reports/ReportEditor';
import type { PanelLoader } from '../../reports/ReportPanel';
import { ShareDialog } from '../../reports/ShareDialog';
import { ReportComments } from '../../reports/ReportComments';

/**
 * A report: its draft (live panels), or one published version; for editors
 * the editor, Publish and Share.
 */
export function ReportPage() {
  const { org = '', report: id = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const editing = search.get('edit') === '1';
  const shownVersion = Number(search.get('version')) || null;
  const [report, setReport] = useState<Report>();
  const [version, setVersion] = useState<ReportVersion>();
  const [history, setHistory] = useState<ReportHistory['items']>();
  const [error, setError] = useState<Error>();
  const [sharing, setSharing] = useState(false);
  const [publishing, setPublishing] = useState(false);

  const load = useCallback(async () => {
    try {
      const [r, h] = await Promise.all([unwrap(reportsApi.getReport(org, id)), unwrap(reportsApi.reportVersions(org, id))]);
      setReport(r);
      setHistory(h.items);
    } catch (e) {
      setError(e as Error);
    }
  }, [org, id]);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    if (!shownVersion) return setVersion(undefined);
    unwrap(reportsApi.reportVersion(org, id, shownVersion)).then(setVersion, (e: Error) => setError(e));
  }, [org, id, shownVersion]);

  const draftLoader = useCallback<PanelLoader>(
    (block, options) => unwrap(reportsApi.reportData(org, id, { block, maxPoints: 500, ...options })),
    [org, id],
  );
  const versionLoader = useCallback(
    (block: string, options?: { step?: number }) =>
      unwrap(reportsApi.reportData(org, id, { block, version: shownVersion ?? undefined, maxPoints: 500, ...options })),
    [org, id, shownVersion],
  );

  const setMode = (params: Record<string, string>) => setSearch(params, { replace: true });

  async function save(title: string, blocks: ReportBlock[]) {
    const saved = await unwrap(reportsApi.updateReport(org, id, { title, blocks, baseRevision: report!.revision }));
    setReport(saved);
    setMode({});
  }

  async function publish() {
    setPublishing(true);
    try {
      await unwrap(reportsApi.publishReport(org, id));
      await load();
    } catch (e) {
      setError(e as Error);
    } finally {
      setPublishing(false);
    }
  }

  /** The shown version (or the saved draft) as one self-contained HTML file. */
  async function download() {
    try {
      const html = await unwrap(reportsApi.exportReport(org, id, shownVersion ?? undefined));
      saveHtmlFile(version?.title ?? report?.title ?? 'report', html);
    } catch (e) {
      setError(e as Error);
    }
  }

  if (error && !report) return <ErrorBox error={error} />;
  if (!report) return <Loading what="Loading report" />;
  const canEdit = !!report.access?.edit;
  const scope = report.projects.length === 1 ? { org, project: report.projects[0]! } : undefined;
  return (
    <article className="report">
      <p className="muted small">
        <Link to={`/${org}/reports`}>Reports</Link> · {report.projects.join(', ') || 'no project yet'} · by {report.createdBy.name}
      </p>
      {!editing && (
        <div className="toolbar">
          <h1 className="grow">{version?.title ?? report.title}</h1>
          {canEdit && !version && (
            <>
              <button type="button" className="secondary" onClick={() => setMode({ edit: '1' })}>
                Edit
              </button>
              <button type="button" onClick={() => void publish()} disabled={publishing}>
                Publish
              </button>
              <button type="button" className="secondary" onClick={() => setSharing(true)}>
                Share
              </button>
            </>
          )}
          <button
            type="button"
            className="secondary"
            onClick={() => void download()}
            title="One HTML file with the charts as data, that opens offline"
          >
            Download HTML
          </button>
        </div>
      )}
      <ErrorBox error={error} />
      <p className="muted small" aria-label="Report status">
        {version
          ? `Version ${version.version}, published by ${version.publishedBy.name} ${formatTime(version.publishedAt)}`
          : `Draft, revision ${report.revision}${report.publishedVersion ? ` · published v${report.publishedVersion}` : ' · not published'}`}
      </p>
      {history && history.length > 0 && !editing && (
        <nav className="toolbar small" aria-label="Versions">
          <button type="button" className={`link ${version ? '' : 'active'}`} onClick={() => setMode({})}>
            Draft
          </button>
          {history.map((v) => (
            <button
              key={v.version}
              type="button"
              className={`link ${version?.version === v.version ? 'active' : ''}`}
              onClick={() => setMode({ version: String(v.version) })}
              title={`${v.publishedBy.name}, ${formatTime(v.publishedAt)}`}
            >
              v{v.version}
            </button>
          ))}
        </nav>
      )}
      {editing && canEdit ? (
        <ReportEditor
          report={report}
          scope={scope}
          load={draftLoader}
          onSave={save}
          onCancel={() => setMode({})}
          onDownload={() => void download()}
        />
      ) : version ? (
        <ReportBlocks key={`v${version.version}`} blocks={version.blocks} load={versionLoader} scope={scope} />
      ) : (
        <ReportBlocks key={`r${report.revision}`} blocks={report.blocks} load={draftLoader} scope={scope} />
      )}
      {report.blocks.length === 0 && !editing && (
        <p className="muted">This report is empty{canEdit ? ': Edit to add text and panels.' : '.'}</p>
      )}
      {!editing && <ReportComments org={org} report={report.id} blocks={report.blocks} canModerate={canEdit} />}
      {sharing && <ShareDialog org={org} report={report} onClose={() => setSharing(false)} />}
    </article>
  );
}
