import type { FilePreview } from '@trackbase/contracts';
import { useEffect, useState } from 'react';
import type { FileSource } from '../api/files';
import { ErrorBox, formatBytes, Loading } from '../components/ui';
import { Notebook } from './Notebook';
import { parseNotebook, type Notebook as NotebookDoc } from './notebook';

/** Notebooks larger than this are offered as a download (and the raw preview) instead. */
const MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024;

/**
 * A `.ipynb` file of a run or artifact version, rendered as a notebook. The
 * preview holds only its first bytes, so a longer notebook is fetched whole
 * through its signed URL; what does not parse shows as text.
 */
export function NotebookFile({ source, preview }: { source: FileSource; preview: FilePreview }) {
  const [notebook, setNotebook] = useState<NotebookDoc | null>();
  const [error, setError] = useState<Error>();
  const tooBig = preview.size > MAX_NOTEBOOK_BYTES;

  useEffect(() => {
    let cancelled = false;
    setNotebook(undefined);
    setError(undefined);
    if (tooBig) return;
    const text =
      !preview.truncated && preview.text !== undefined
        ? Promise.resolve(preview.text)
        : source.url(preview.path).then(async ({ url }) => {
            const response = await fetch(url);
            if (!response.ok) throw new Error(`could not load the notebook (HTTP ${response.status})`);
            return response.text();
          });
    text.then(
      (t) => !cancelled && setNotebook(parseNotebook(t)),
      (e: Error) => !cancelled && setError(e),
    );
    return () => {
      cancelled = true;
    };
  }, [source, preview, tooBig]);

  if (tooBig || error || notebook === null)
    return (
      <>
        <ErrorBox error={error} />
        <p className="muted">
          {tooBig
            ? `This notebook is too large to render here (${formatBytes(preview.size)}).`
            : 'This file is not a notebook this viewer can read.'}
        </p>
        <pre className="code preview-text">{preview.text}</pre>
      </>
    );
  if (notebook === undefined) return <Loading what="Loading notebook" />;
  return <Notebook notebook={notebook} scope={source.scope} />;
}
