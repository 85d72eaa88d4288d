import { useMemo, useState } from 'react';
import { runFileSource } from '../../api/files';
import { FileBrowser } from '../../components/files/FileBrowser';
import { UploadForm } from '../../components/files/UploadForm';
import { useFileLocation } from '../../components/files/useFileLocation';

/** The run's files: browse, preview, download; contributors upload and delete. */
export function FilesTab({ org, project, run, canWrite }: { org: string; project: string; run: string; canWrite: boolean }) {
  const source = useMemo(() => runFileSource(org, project, run), [org, project, run]);
  const location = useFileLocation();
  const [refreshKey, setRefreshKey] = useState(0);
  return (
    <div>
      {canWrite && <UploadForm org={org} project={project} run={run} dir={location.dir} onUploaded={() => setRefreshKey((n) => n + 1)} />}
      <FileBrowser
        source={source}
        location={location}
        root={run}
        canDelete={canWrite}
        refreshKey={refreshKey}
        emptyText={canWrite ? 'No files yet. Upload some above, or with the SDK.' : 'This run has no files.'}
      />
    </div>
  );
}
