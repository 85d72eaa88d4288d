import { Foundation1764000000000 } from './1764000000000-foundation';
import { Runs1764000100000 } from './1764000100000-runs';
import { Comments1764000300000 } from './1764000300000-comments';
import { Artifacts1764000400000 } from './1764000400000-artifacts';
import { CascadeIndexes1764000500000 } from './1764000500000-cascade-indexes';
import { Wandb1764000900000 } from './1764000900000-wandb';
import { Mlflow1764001000000 } from './1764001000000-mlflow';
import { RunsTableColumns1764016160000 } from './1764016160000-runs-table-columns';
import { SavedViews1764016170000 } from './1764016170000-saved-views';

/** In order. A new migration is added here as well as in its own file. */
export const MIGRATIONS = [
  Foundation1764000000000,
  Runs1764000100000,
  Comments1764000300000,
  Artifacts1764000400000,
  CascadeIndexes1764000500000,
  Wandb1764000900000,
  Mlflow1764001000000,
  RunsTableColumns1764016160000,
  SavedViews1764016170000,
];
