import { useMemo } from 'react';
import { versionFileSource } from '../../api/files';
import { FileBrowser } from '../files/FileBrowser';
import { useFileLocation } from '../files/useFileLocation';

/** The files of a version, in the same browser and previews as a run's. Versions are immutable: nothing to upload or delete. */
export function VersionFiles({ org, project, name, version }: { org: string; project: string; name: string; version: string }) {
  const source = useMemo(() => versionFileSource(org, project, name, version), [org, project, name, version]);
  const location = useFileLocation();
  return (
    <FileBrowser source={source} location={location} root={`${name}:${version}`} canDelete={false} emptyText="This version has no files." />
  );
}
