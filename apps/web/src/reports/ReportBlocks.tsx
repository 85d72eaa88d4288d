import type { PanelBlock, ReportBlock } from '@trackbase/contracts';
import { Markdown, type MarkdownScope } from '../markdown/Markdown';
import { ReportPanel, type PanelLoader } from './ReportPanel';

/** A report's blocks as readers see them: Markdown through the one sanitising renderer, panels with their live data. */
export function ReportBlocks({
  blocks,
  load,
  scope,
  live = true,
  shareToken,
}: {
  blocks: ReportBlock[];
  load: PanelLoader;
  /** Where live references resolve; none on share links (a token reads nothing but the report). */
  scope?: MarkdownScope;
  live?: boolean;
  /** A share link's token: its panels get points pushed over the link's own socket. */
  shareToken?: string;
}) {
  return (
    <div className="report-blocks">
      {blocks.map((block) =>
        block.type === 'text' ? (
          <Markdown key={block.id} text={block.markdown} scope={scope} />
        ) : (
          <ReportPanel key={block.id} block={block as PanelBlock} load={load} live={live} shareToken={shareToken} />
        ),
      )}
    </div>
  );
}
