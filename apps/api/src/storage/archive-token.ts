import type { TokenSigner } from './signed-token';

/** What an archive URL may stream: the files of one run or one artifact version, under a prefix. */
export interface ArchiveToken {
  org: string;
  owner: 'run' | 'version';
  id: string;
  prefix: string;
  name: string;
}

export const ARCHIVE_SIGNER = Symbol('ARCHIVE_SIGNER');
export type ArchiveSigner = TokenSigner;
