/** Which version of which artifact: `name` (latest), `name:production`, `name:v3`, optionally `org/project/` in front. */
export interface ArtifactRef {
  org?: string;
  project?: string;
  name: string;
  /** `v3`, or an alias such as `latest`. */
  version: string;
}

export function parseArtifactRef(ref: string): ArtifactRef {
  const colon = ref.lastIndexOf(':');
  const path = colon === -1 ? ref : ref.slice(0, colon);
  const version = colon === -1 ? 'latest' : ref.slice(colon + 1);
  const segments = path.split('/');
  if (!version || segments.some((s) => !s) || (segments.length !== 1 && segments.length !== 3)) {
    throw new Error(`an artifact is named "name", "name:alias", "name:v3" or "org/project/name:alias", not "${ref}"`);
  }
  if (segments.length === 3) return { org: segments[0], project: segments[1], name: segments[2]!, version };
  return { name: segments[0]!, version };
}
