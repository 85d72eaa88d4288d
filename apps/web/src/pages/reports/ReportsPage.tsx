import type { ReportList } from '@trackbase/contracts';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Empty, ErrorBox, formatTime, Loading } from '../../components/ui';
import { reportsApi, unwrap } from '../../reports/api';

/** The organization's reports the viewer can read, and a new one. */
export function ReportsPage() {
  const { org = '' } = useParams();
  const navigate = useNavigate();
  const [reports, setReports] = useState<ReportList['items']>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    unwrap(reportsApi.listReports(org)).then(
      (list) => setReports(list.items),
      (e: Error) => setError(e),
    );
  }, [org]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const title = String(new FormData(event.currentTarget).get('title'));
    try {
      const report = await unwrap(reportsApi.createReport(org, { title, blocks: [] }));
      void navigate(`/${org}/reports/${report.id}?edit=1`);
    } catch (e) {
      setError(e as Error);
    }
  }

  return (
    <section>
      <h1>
        <Link to={`/${org}`}>{org}</Link> / reports
      </h1>
      <ErrorBox error={error} />
      <form className="toolbar" onSubmit={(e) => void create(e)} aria-label="New report">
        <input name="title" required aria-label="New report title" placeholder="Title" />
        <button type="submit">New report</button>
      </form>
      {!reports && !error && <Loading what="Loading reports" />}
      {reports?.length === 0 && <Empty>No reports yet. Write one here, or save a comparison of runs as a report.</Empty>}
      {reports && reports.length > 0 && (
        <table className="grid" aria-label="Reports">
          <thead>
            <tr>
              <th>Title</th>
              <th>Projects</th>
              <th>Published</th>
              <th>Updated</th>
              <th>By</th>
            </tr>
          </thead>
          <tbody>
            {reports.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/${org}/reports/${r.id}`}>{r.title}</Link>
                </td>
                <td>{r.projects.join(', ')}</td>
                <td>{r.publishedVersion ? `v${r.publishedVersion}` : 'draft'}</td>
                <td>{formatTime(r.updatedAt)}</td>
                <td>{r.createdBy.name}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
