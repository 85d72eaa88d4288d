import { useState, type FormEvent } from 'react';
import { targetPath, uploadRunFiles, type UploadProgress } from '../../api/upload';
import { ErrorBox } from '../ui';
import { UploadProgressList } from './UploadProgressList';

interface Props {
  org: string;
  project: string;
  run: string;
  /** The folder shown, offered as the target. */
  dir: string;
  onUploaded: () => void;
}

/** Picks files (several at once) and a target folder, uploads them with progress, then lists again. */
export function UploadForm({ org, project, run, dir, onUploaded }: Props) {
  const [progress, setProgress] = useState<UploadProgress[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const files = data.getAll('files').filter((f): f is File => f instanceof File && f.name !== '');
    if (files.length === 0) return setError(new Error('Choose one or more files first.'));
    const folder = String(data.get('folder') ?? '');
    const items = files.map((file) => ({ path: targetPath(folder, file.name), file }));
    setError(undefined);
    setBusy(true);
    setProgress(items.map((i) => ({ path: i.path, phase: 'waiting', loaded: 0, total: i.file.size })));
    const report = (path: string, change: Partial<UploadProgress>) =>
      setProgress((list) => list.map((p) => (p.path === path ? { ...p, ...change } : p)));
    try {
      const failed = await uploadRunFiles(org, project, run, items, report);
      if (failed < items.length) form.reset();
    } catch (e) {
      setError(e as Error);
      setProgress((list) => list.map((p) => (p.phase === 'done' ? p : { ...p, phase: 'failed', error: 'not uploaded' })));
    } finally {
      setBusy(false);
      onUploaded();
    }
  }

  return (
    <form className="card upload" onSubmit={submit} aria-label="Upload files">
      <div className="inline tight">
        <label>
          Files
          <input type="file" name="files" multiple disabled={busy} />
        </label>
        <label>
          Into folder
          <input name="folder" key={dir} defaultValue={dir} placeholder="(top level)" disabled={busy} />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Uploading…' : 'Upload'}
        </button>
      </div>
      <ErrorBox error={error} />
      <UploadProgressList items={progress} />
    </form>
  );
}
