import { Injectable } from '@nestjs/common';
import type { ReportBlockParsed, ReportData } from '@trackbase/contracts';
import { MediaService } from '../../media/media.service';
import { ReportDataService, type DataScope } from '../report-data.service';
import type { FrozenData } from '../reports.repository';
import { renderReportHtml } from './report-export';

/** Largest image embedded (a thumbnail is WebP of at most 256 px; an image without one is embedded only when small). */
const THUMBNAIL_BYTES = 512 * 1024;
/** Points per series in an exported line chart. */
const EXPORT_POINTS = 500;

export interface ExportSource {
  title: string;
  subtitle: string;
  blocks: ReportBlockParsed[];
  frozen: FrozenData | null;
}

/**
 * The static HTML export of a report (a draft or a published version), for its
 * readers and for share-link holders: every panel's data read through the one
 * data path (exactly its run set, as frozen), then drawn on the server.
 */
@Injectable()
export class ReportExportService {
  constructor(
    private readonly data: ReportDataService,
    private readonly media: MediaService,
  ) {}

  async render(scope: DataScope, source: ExportSource, shown: (data: ReportData) => ReportData = (d) => d): Promise<string> {
    const runProject = new Map<string, string>();
    return renderReportHtml(
      source,
      async (block) => {
        const data = await this.data.read(scope, source.blocks, source.frozen, { block, maxPoints: EXPORT_POINTS });
        for (const run of data.runs) runProject.set(run.id, run.project);
        return shown(data);
      },
      async (runId, item) => {
        const project = runProject.get(runId);
        const ctx = project ? await this.data.projectContext(scope, project) : null;
        const image = ctx ? await this.media.thumbnailBytes(ctx, runId, item, THUMBNAIL_BYTES) : null;
        return image ? `data:${image.contentType};base64,${image.bytes.toString('base64')}` : null;
      },
    );
  }
}
