import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

export interface FileLocation {
  /** The directory shown: '' for the root, else ending with '/'. */
  dir: string;
  /** The file previewed, if any. */
  file: string | null;
  /** A link (search string) that keeps the rest of the page's URL. */
  href(changes: { dir?: string; file?: string | null }): string;
  openFile(path: string | null): void;
}

/** The browsed directory and previewed file live in the URL (`?dir=…&file=…`), so both can be shared and go back. */
export function useFileLocation(): FileLocation {
  const [search, setSearch] = useSearchParams();
  const segments = (search.get('dir') ?? '').split('/').filter(Boolean);
  const dir = segments.length ? `${segments.join('/')}/` : '';
  const file = search.get('file');
  const href = useCallback(
    (changes: { dir?: string; file?: string | null }) => {
      const next = new URLSearchParams(search);
      if (changes.dir !== undefined) {
        if (changes.dir) next.set('dir', changes.dir);
        else next.delete('dir');
        if (changes.file === undefined) next.delete('file');
      }
      if (changes.file !== undefined) {
        if (changes.file) next.set('file', changes.file);
        else next.delete('file');
      }
      return `?${next}`;
    },
    [search],
  );
  const openFile = useCallback(
    (path: string | null) => {
      const next = new URLSearchParams(search);
      if (path) next.set('file', path);
      else next.delete('file');
      setSearch(next);
    },
    [search, setSearch],
  );
  return { dir, file, href, openFile };
}
