import { Injectable } from '@nestjs/common';
import { TypedEvents } from '../common/events/typed-events';

/**
 * A committed change to what a report's share links open: a link revoked, the
 * report deleted (every link goes), or a new version published (the run sets
 * the links grant may have changed). `linkIds` null means every link of the report.
 */
export interface ShareLinksChanged {
  organizationId: string;
  reportId: string;
  linkIds: string[] | null;
  change: 'revoked' | 'deleted' | 'published';
}

/** Report events for the realtime gateway, which ends or re-checks the sockets opened with share links. */
@Injectable()
export class ReportEvents extends TypedEvents<{ links: ShareLinksChanged }> {}
