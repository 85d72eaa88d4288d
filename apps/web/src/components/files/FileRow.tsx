import type { FileEntry } from '@trackbase/contracts';
import { useState } from 'react';
import { Link } from 'react-router';
import { formatBytes, formatTime } from '../ui';
import { FileIcon } from './FileIcon';
import type { FileLocation } from './useFileLocation';

interface Props {
  entry: FileEntry;
  location: FileLocation;
  selected: boolean;
  onDownload: () => void;
  onDelete?: (path: string) => Promise<void>;
}

export function FileRow({ entry, location, selected, onDownload, onDelete }: Props) {
  const [confirming, setConfirming] = useState(false);
  if (entry.type === 'dir') {
    return (
      <tr>
        <td>
          <Link to={location.href({ dir: entry.path })} className="file-name">
            <FileIcon dir />
            {entry.name}/
          </Link>
        </td>
        <td className="num">{formatBytes(entry.size)}</td>
        <td className="muted col-type">
          {entry.fileCount} {entry.fileCount === 1 ? 'file' : 'files'}
        </td>
        <td className="col-added" />
        <td />
      </tr>
    );
  }
  const pending = entry.state === 'pending';
  return (
    <tr className={selected ? 'selected' : undefined}>
      <td>
        {pending ? (
          <span className="file-name">
            <FileIcon dir={false} />
            {entry.name} <span className="badge">upload not finished</span>
          </span>
        ) : (
          <Link to={location.href({ file: entry.path })} className="file-name" aria-label={`Preview ${entry.name}`}>
            <FileIcon dir={false} />
            {entry.name}
          </Link>
        )}
      </td>
      <td className="num">{formatBytes(entry.size)}</td>
      <td className="muted col-type">{entry.contentType ?? ''}</td>
      <td className="muted col-added">{formatTime(entry.createdAt)}</td>
      <td className="row-actions">
        {!pending && (
          <button type="button" className="link" onClick={onDownload} aria-label={`Download ${entry.name}`}>
            Download
          </button>
        )}
        {onDelete &&
          (confirming ? (
            <>
              <button type="button" className="link danger" onClick={() => void onDelete(entry.path).finally(() => setConfirming(false))}>
                Delete {entry.name}?
              </button>
              <button type="button" className="link" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" className="link danger" onClick={() => setConfirming(true)} aria-label={`Delete ${entry.name}`}>
              Delete
            </button>
          ))}
      </td>
    </tr>
  );
}
