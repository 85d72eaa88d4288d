import { Foundation1764000000000 } from './1764000000000-foundation';
import { Runs1764000100000 } from './1764000100000-runs';
import { Comments1764000300000 } from './1764000300000-comments';
import { Artifacts1764000400000 } from './1764000400000-artifacts';
import { CascadeIndexes1764000500000 } from './1764000500000-cascade-indexes';
import { Wandb1764000900000 } from './1764000900000-wandb';
import { Mlflow1764001000000 } from './1764001000000-mlflow';
import { SignInBackoff1764001900000 } from './1764001900000-sign-in-backoff';
import { MlflowModelVersions1764002417140 } from './1764002417140-mlflow-model-versions';
import { RunTables1764004815000 } from './1764004815000-run-tables';
import { RunsTableColumns1764016160000 } from './1764016160000-runs-table-columns';
import { SavedViews1764016170000 } from './1764016170000-saved-views';
import { Readmes1764017000000 } from './1764017000000-readmes';
import { WandbArtifactManifests1764052000000 } from './1764052000000-wandb-artifact-manifests';
import { Media1764100700000 } from './1764100700000-media';
import { Reports1764200700000 } from './1764200700000-reports';
import { RunForks1764200800000 } from './1764200800000-run-forks';
import { TableMedia1764300000000 } from './1764300000000-table-media';
import { MediaThumbnailJobs1764300100000 } from './1764300100000-media-thumbnail-jobs';
import { Trash1764301000000 } from './1764301000000-trash';
import { ShareLinkAnonymised1764303000000 } from './1764303000000-share-link-anonymised';
import { WandbPendingMedia1764305000000 } from './1764305000000-wandb-pending-media';
import { ApiKeyScopes1764306000000 } from './1764306000000-api-key-scopes';
import { Sso1764307000000 } from './1764307000000-sso';
import { ReportComments1764401000000 } from './1764401000000-report-comments';
import { SamlSsoVerifiedDomains1764405000000 } from './1764405000000-saml-sso-verified-domains';
import { Scim1764406000000 } from './1764406000000-scim';
import { EmailTwoFactor1764407000000 } from './1764407000000-email-two-factor';
import { RetentionSchedule1764408000000 } from './1764408000000-retention-schedule';
import { ArtifactTrash1764408100000 } from './1764408100000-artifact-trash';
import { WandbArtifactTags1764408104000 } from './1764408104000-wandb-artifact-tags';
import { DistributionLayout1764408106000 } from './1764408106000-distribution-layout';
import { WandbProjectNumbers1764408107000 } from './1764408107000-wandb-project-numbers';
import { WandbArtifactLinks1764408108000 } from './1764408108000-wandb-artifact-links';

/** In order. A new migration is added here as well as in its own file. */
export const MIGRATIONS = [
  Foundation1764000000000,
  Runs1764000100000,
  Comments1764000300000,
  Artifacts1764000400000,
  CascadeIndexes1764000500000,
  Wandb1764000900000,
  Mlflow1764001000000,
  SignInBackoff1764001900000,
  MlflowModelVersions1764002417140,
  RunTables1764004815000,
  RunsTableColumns1764016160000,
  SavedViews1764016170000,
  Readmes1764017000000,
  WandbArtifactManifests1764052000000,
  Media1764100700000,
  Reports1764200700000,
  RunForks1764200800000,
  TableMedia1764300000000,
  MediaThumbnailJobs1764300100000,
  Trash1764301000000,
  ShareLinkAnonymised1764303000000,
  WandbPendingMedia1764305000000,
  ApiKeyScopes1764306000000,
  Sso1764307000000,
  ReportComments1764401000000,
  SamlSsoVerifiedDomains1764405000000,
  Scim1764406000000,
  EmailTwoFactor1764407000000,
  RetentionSchedule1764408000000,
  ArtifactTrash1764408100000,
  WandbArtifactTags1764408104000,
  DistributionLayout1764408106000,
  WandbProjectNumbers1764408107000,
  WandbArtifactLinks1764408108000,
];
