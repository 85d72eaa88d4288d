import type { FilePreview } from '@trackbase/contracts';
import { STORAGE_LIMITS } from '@trackbase/contracts';
import { useEffect, useState } from 'react';
import { download, type FileSource } from '../../api/files';
import { Markdown } from '../../markdown/Markdown';
import { NotebookFile } from '../../markdown/NotebookFile';
import { ErrorBox, formatBytes, Loading } from '../ui';
import { CsvTable } from './CsvTable';

/** The first bytes of a text, JSON or CSV file (Markdown rendered, notebooks as notebooks), an image, or for anything else its size and a download. */
export function FilePreviewPanel({ source, path, onClose }: { source: FileSource; path: string; onClose: () => void }) {
  const [preview, setPreview] = useState<FilePreview>();
  const [error, setError] = useState<Error>();
  const name = path.slice(path.lastIndexOf('/') + 1);

  useEffect(() => {
    let cancelled = false;
    setPreview(undefined);
    setError(undefined);
    source
      .preview(path)
      .then((p) => !cancelled && setPreview(p))
      .catch((e: Error) => !cancelled && setError(e));
    return () => {
      cancelled = true;
    };
  }, [source, path]);

  return (
    <section className="card preview" aria-label={`Preview of ${name}`}>
      <header className="preview-head">
        <strong className="file-title" title={path}>
          {name}
        </strong>
        {preview && (
          <span className="muted">
            {formatBytes(preview.size)} · {preview.contentType}
          </span>
        )}
        <span className="spacer" />
        <button type="button" className="secondary" onClick={() => void download(source.url(path)).catch(setError)}>
          Download
        </button>
        <button type="button" className="link" onClick={onClose} aria-label="Close preview">
          ✕
        </button>
      </header>
      <ErrorBox error={error} />
      {!preview && !error && <Loading what="Loading preview" />}
      {preview && <PreviewBody preview={preview} name={name} source={source} />}
    </section>
  );
}

function PreviewBody({ preview, name, source }: { preview: FilePreview; name: string; source: FileSource }) {
  const cut = preview.truncated && (
    <p className="muted">
      {preview.kind === 'csv'
        ? `Showing the first ${preview.rows?.length ?? 0} rows`
        : `Showing the first ${formatBytes(STORAGE_LIMITS.previewBytes)}`}
      ; download the file for all of it.
    </p>
  );
  switch (preview.kind) {
    case 'image':
      return <img className="preview-image" src={preview.url} alt={name} />;
    case 'csv':
      return (
        <>
          <CsvTable rows={preview.rows ?? []} name={name} />
          {cut}
        </>
      );
    case 'text':
    case 'json':
      if (/\.ipynb$/i.test(name) && preview.size > 0) return <NotebookFile source={source} preview={preview} />;
      if (/\.(md|markdown)$/i.test(name) && preview.text)
        return (
          <>
            <Markdown text={preview.text} scope={source.scope} className="markdown preview-markdown" />
            {cut}
          </>
        );
      return (
        <>
          {preview.size === 0 ? <p className="muted">This file is empty.</p> : <pre className="code preview-text">{preview.text}</pre>}
          {cut}
        </>
      );
    default:
      return (
        <p className="muted">
          No preview for this kind of file ({preview.contentType}, {formatBytes(preview.size)}). Download it to open it.
        </p>
      );
  }
}
