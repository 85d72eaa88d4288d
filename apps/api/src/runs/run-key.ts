/**
 * Short run keys (`VIS-42`): the project's key prefix and the run's number
 * within the project. The prefix comes from the slug, which never changes.
 */
export function runKeyPrefix(projectSlug: string): string {
  const letters = projectSlug.split('-')[0]!.replace(/[^a-z0-9]/g, '');
  return (letters || 'RUN').slice(0, 6).toUpperCase();
}

export function runKey(projectSlug: string, number: number): string {
  return `${runKeyPrefix(projectSlug)}-${number}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY = /^([A-Za-z0-9]{1,6})-(\d{1,9})$/;

export type RunRef = { id: string } | { number: number } | null;

/** A `{run}` path segment: a UUID or this project's short key; anything else matches nothing. */
export function parseRunRef(ref: string, projectSlug: string): RunRef {
  if (UUID.test(ref)) return { id: ref.toLowerCase() };
  const match = KEY.exec(ref);
  if (!match || match[1]!.toUpperCase() !== runKeyPrefix(projectSlug)) return null;
  return { number: Number(match[2]) };
}
