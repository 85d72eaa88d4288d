import type { PanelBlock, SharedReport } from '@trackbase/contracts';
import { TrackbaseApiError } from '@trackbase/sdk/client';
import { useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { ErrorBox, formatTime, Loading } from '../../components/ui';
import { saveHtmlFile, sharedApi, unwrap } from '../../reports/api';
import { ReportBlocks } from '../../reports/ReportBlocks';
import { ReportPanel } from '../../reports/ReportPanel';

function useShared(token: string) {
  const [report, setReport] = useState<SharedReport>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    unwrap(sharedApi.sharedReport(token)).then(setReport, (e: Error) => setError(e));
  }, [token]);
  const load = useCallback(
    (block: string, options?: { step?: number }) => unwrap(sharedApi.sharedReportData(token, { block, maxPoints: 500, ...options })),
    [token],
  );
  return { report, error, load };
}

function LinkError({ error }: { error: Error }) {
  if (error instanceof TrackbaseApiError) {
    if (error.code === 'share_link_gone')
      return <p role="alert">This link was revoked or has expired. Ask whoever sent it for a new one.</p>;
    if (error.code === 'report_not_published') return <p role="alert">This report has not been published yet.</p>;
    if (error.status === 404) return <p role="alert">There is no report at this link.</p>;
  }
  return <ErrorBox error={error} />;
}

/** A report opened by a share link, for someone without an account: the published version and its panels, nothing else. */
export function SharedReportPage() {
  const { token = '' } = useParams();
  const { report, error, load } = useShared(token);
  const [downloadError, setDownloadError] = useState<Error>();
  /** The link's version as one self-contained HTML file (anonymised when the link is). */
  async function download(title: string) {
    try {
      saveHtmlFile(title, await unwrap(sharedApi.sharedReportExport(token)));
    } catch (e) {
      setDownloadError(e as Error);
    }
  }
  return (
    <div className="app shared-report">
      <header className="topbar">
        <span className="brand">Trackbase</span>
        <span className="muted">Shared report{report?.anonymised ? ' · anonymised' : ''}</span>
      </header>
      <main className="content">
        {error && <LinkError error={error} />}
        {!report && !error && <Loading what="Loading report" />}
        {report && (
          <article className="report">
            <h1>{report.title}</h1>
            <p className="muted small">
              Version {report.version}, published {formatTime(report.publishedAt)}{' '}
              <button
                type="button"
                className="secondary"
                onClick={() => void download(report.title)}
                title="One HTML file with the charts as data, that opens offline"
              >
                Download HTML
              </button>
            </p>
            <ErrorBox error={downloadError} />
            <ReportBlocks blocks={report.blocks} load={load} shareToken={token} />
          </article>
        )}
      </main>
    </div>
  );
}

/** One panel of a shared report alone, for an iframe in a wiki or a document. */
export function EmbeddedPanelPage() {
  const { token = '', block = '' } = useParams();
  const { report, error, load } = useShared(token);
  const panel = report?.blocks.find((b): b is PanelBlock => b.id === block && b.type !== 'text');
  return (
    <div className="embed">
      {error && <LinkError error={error} />}
      {!report && !error && <Loading what="Loading panel" />}
      {report && !panel && <p role="alert">This report has no such panel.</p>}
      {panel && <ReportPanel block={panel} load={load} shareToken={token} />}
      {report && (
        <a className="muted small" href={`/shared/reports/${encodeURIComponent(token)}`} target="_blank" rel="noopener noreferrer">
          {report.title} · Trackbase
        </a>
      )}
    </div>
  );
}
