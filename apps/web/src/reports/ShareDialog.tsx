import { panelTitle, type CreatedShareLink, type PanelBlock, type Report, type ShareLink } from '@trackbase/contracts';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ErrorBox, formatTime, Loading } from '../components/ui';
import { embedUrl, reportsApi, shareUrl, unwrap } from './api';
import { ReportPeople } from './ReportPeople';

const EXPIRY = [
  { label: 'Never', days: 0 },
  { label: '1 day', days: 1 },
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
];

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="secondary"
      onClick={() =>
        void navigator.clipboard.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 2_000);
        })
      }
    >
      {copied ? 'Copied' : label}
    </button>
  );
}

/**
 * Share links of a report: read-only tokens with an optional expiry,
 * optionally anonymised; the token is shown once, when the link is made.
 * Revoking ends access at once.
 */
export function ShareDialog({ org, report, onClose }: { org: string; report: Report; onClose: () => void }) {
  const [links, setLinks] = useState<ShareLink[]>();
  const [created, setCreated] = useState<CreatedShareLink>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const load = useCallback(
    () =>
      unwrap(reportsApi.shareLinks(org, report.id)).then(
        (l) => setLinks(l.items),
        (e: Error) => setError(e),
      ),
    [org, report.id],
  );
  useEffect(() => void load(), [load]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const days = Number(form.get('expiry'));
    setBusy(true);
    try {
      const link = await unwrap(
        reportsApi.createShareLink(org, report.id, {
          ...(days ? { expiresAt: new Date(Date.now() + days * 86_400_000).toISOString() } : {}),
          ...(form.get('anonymised') ? { anonymised: true } : {}),
        }),
      );
      setCreated(link);
      setError(undefined);
      await load();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(link: ShareLink) {
    try {
      await unwrap(reportsApi.revokeShareLink(org, report.id, link.id));
      if (created?.id === link.id) setCreated(undefined);
      await load();
    } catch (e) {
      setError(e as Error);
    }
  }

  const panels = report.blocks.filter((b): b is PanelBlock => b.type !== 'text');
  return (
    <div className="dialog-backdrop">
      <div className="dialog card" role="dialog" aria-modal="true" aria-label="Share report">
        <div className="toolbar">
          <h2 className="grow">Share “{report.title}”</h2>
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        </div>
        {report.publishedVersion === null && (
          <p className="warning">Links open the latest published version: publish the report before sending one.</p>
        )}
        <form className="toolbar" onSubmit={(e) => void create(e)} aria-label="New share link">
          <label>
            Expires
            <select name="expiry" defaultValue="7" aria-label="Expires">
              {EXPIRY.map((e) => (
                <option key={e.days} value={e.days}>
                  {e.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" name="anonymised" /> Anonymised (hides run names, projects and people)
          </label>
          <button type="submit" disabled={busy}>
            Create link
          </button>
        </form>
        <ErrorBox error={error} />
        {created && (
          <div className="share-created" aria-label="New link">
            <p className="muted small">Copy it now: the link is shown only once.</p>
            <div className="toolbar">
              <input readOnly className="grow" aria-label="Share URL" value={shareUrl(created.token)} onFocus={(e) => e.target.select()} />
              <CopyButton text={shareUrl(created.token)} label="Copy link" />
            </div>
            {panels.length > 0 && (
              <details>
                <summary>Embed a panel</summary>
                <ul className="plain">
                  {panels.map((p) => {
                    const snippet = `<iframe src="${embedUrl(created.token, p.id)}" width="800" height="340" style="border:0"></iframe>`;
                    return (
                      <li key={p.id} className="toolbar">
                        <span className="grow">{panelTitle(p)}</span>
                        <CopyButton text={snippet} label="Copy embed code" />
                      </li>
                    );
                  })}
                </ul>
              </details>
            )}
          </div>
        )}
        <ReportPeople org={org} report={report.id} />
        <h3>Links</h3>
        {!links && <Loading what="Loading links" />}
        {links?.length === 0 && <p className="muted">No links yet.</p>}
        {links && links.length > 0 && (
          <table className="grid" aria-label="Share links">
            <thead>
              <tr>
                <th>Created</th>
                <th>By</th>
                <th>Expires</th>
                <th>Kind</th>
                <th>State</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {links.map((l) => {
                const expired = !!l.expiresAt && Date.parse(l.expiresAt) <= Date.now();
                return (
                  <tr key={l.id}>
                    <td>{formatTime(l.createdAt)}</td>
                    <td>{l.createdBy.name}</td>
                    <td>{l.expiresAt ? formatTime(l.expiresAt) : 'never'}</td>
                    <td>{l.anonymised ? 'anonymised' : 'named'}</td>
                    <td>{l.revokedAt ? 'revoked' : expired ? 'expired' : 'active'}</td>
                    <td>
                      {!l.revokedAt && !expired && (
                        <button type="button" className="secondary" onClick={() => void revoke(l)}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
