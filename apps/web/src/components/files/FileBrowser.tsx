import type { FileListing } from '@trackbase/contracts';
import { useEffect, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { TrackbaseApiError } from '@trackbase/sdk/client';
import { download, type FileSource } from '../../api/files';
import { Empty, ErrorBox, Loading } from '../ui';
import { Breadcrumbs } from './Breadcrumbs';
import { FilePreviewPanel } from './FilePreviewPanel';
import { FileRow } from './FileRow';
import type { FileLocation } from './useFileLocation';

interface Props {
  source: FileSource;
  location: FileLocation;
  /** The name of the root in the breadcrumbs (a run key, an artifact version). */
  root: string;
  canDelete: boolean;
  /** Bumped by the parent after an upload, to list again. */
  refreshKey?: number;
  /** Extra controls beside the folder download (an upload form). */
  actions?: ReactNode;
  emptyText: string;
}

/** Directories with breadcrumbs, sizes, downloads, a folder as .tar, previews; delete where allowed. */
export function FileBrowser({ source, location, root, canDelete, refreshKey = 0, actions, emptyText }: Props) {
  const { dir, file } = location;
  const [listing, setListing] = useState<{ at: string; listing: FileListing }>();
  const [error, setError] = useState<Error>();
  const [actionError, setActionError] = useState<Error>();
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setError(undefined);
    source
      .list(dir)
      .then((l) => !cancelled && setListing({ at: `${source.id}|${dir}`, listing: l }))
      .catch((e: Error) => {
        if (cancelled) return;
        setListing(undefined);
        setError(e);
      });
    return () => {
      cancelled = true;
    };
  }, [source, dir, refreshKey, reloads]);

  const act = (work: Promise<unknown>) => {
    setActionError(undefined);
    return work.catch((e: Error) => setActionError(e));
  };
  const remove = source.remove
    ? async (path: string) => {
        await act(
          source.remove!(path).then(() => {
            if (file === path) location.openFile(null);
            setReloads((n) => n + 1);
          }),
        );
      }
    : undefined;
  const current = listing?.at === `${source.id}|${dir}` ? listing.listing : undefined;

  return (
    <div className={file ? 'files-layout with-preview' : 'files-layout'}>
      <div className="files-pane">
        <div className="files-toolbar">
          <Breadcrumbs location={location} root={root} />
          <span className="spacer" />
          {current && current.entries.length > 0 && (
            <button type="button" className="secondary" onClick={() => void act(download(source.archive(dir)))}>
              Download {dir ? 'folder' : 'all'} as .tar
            </button>
          )}
          {actions}
        </div>
        <ErrorBox error={actionError} />
        {error && (
          <>
            <ErrorBox error={error} />
            {error instanceof TrackbaseApiError && error.status === 404 && dir && (
              <Link to={location.href({ dir: '' })}>Back to all files</Link>
            )}
          </>
        )}
        {!error && !current && <Loading what="Loading files" />}
        {current && current.entries.length === 0 && <Empty>{emptyText}</Empty>}
        {current && current.entries.length > 0 && (
          <table className={file ? 'grid files compact' : 'grid files'} aria-label="Files">
            <thead>
              <tr>
                <th>Name</th>
                <th className="num">Size</th>
                <th className="col-type">Type</th>
                <th className="col-added">Added</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {current.entries.map((entry) => (
                <FileRow
                  key={entry.path}
                  entry={entry}
                  location={location}
                  selected={entry.path === file}
                  onDownload={() => void act(download(source.url(entry.path)))}
                  onDelete={canDelete ? remove : undefined}
                />
              ))}
            </tbody>
          </table>
        )}
      </div>
      {file && <FilePreviewPanel source={source} path={file} onClose={() => location.openFile(null)} />}
    </div>
  );
}
