import type { StoredMedia, TableCell, TableCellAnnotationView, TableColumn, TableMedia } from '@trackbase/contracts';
import { useMemo, useState } from 'react';
import { ClassToggles, classesOf, ImageView, type HiddenClasses } from '../media/ImageView';
import { formatValue } from '../ui';

export interface GridColumn extends TableColumn {
  /** A label above the name (the run a compared column belongs to). */
  group?: string;
}

function show(cell: TableCell): string {
  if (cell === null) return '—';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  return formatValue(cell);
}

/**
 * A media cell: an image as the server's thumbnail (a WebP it made from bytes it decoded; image columns
 * take raster formats only, never SVG), audio as a player. Both load only from their signed URLs.
 */
function MediaCell({ type, sha256, media }: { type: 'image' | 'audio'; sha256: string; media: TableMedia | undefined }) {
  if (!media) return <span className="muted">{sha256.slice(0, 12)}</span>;
  if (type === 'audio')
    return <audio controls preload="none" src={media.url} aria-label={`audio ${sha256.slice(0, 12)}`} className="table-audio" />;
  const size = media.width && media.height ? `${media.width}×${media.height}` : '';
  return (
    <img
      className="table-thumb"
      src={media.thumbnailUrl ?? media.url}
      alt={`image ${size}`.trim()}
      title={size}
      loading="lazy"
      referrerPolicy="no-referrer"
    />
  );
}

/** An annotated image cell as the media panel's image view takes it: its thumbnail with boxes, masks and caption. */
function annotatedItem(column: string, row: number, media: TableMedia, a: TableCellAnnotationView): StoredMedia {
  return {
    runId: '',
    key: column,
    step: 0,
    index: row,
    time: 0,
    type: 'image',
    contentType: media.contentType,
    size: null,
    sha256: null,
    width: media.width,
    height: media.height,
    duration: null,
    sampleRate: null,
    format: null,
    caption: a.caption ?? null,
    boxes: a.boxes ?? null,
    masks: a.masks ?? null,
    data: null,
    metadata: null,
    url: media.url,
    thumbnailUrl: media.thumbnailUrl,
    thumbnailState: media.thumbnailUrl ? 'ready' : null,
    thumbnailError: null,
  } as StoredMedia;
}

/** Rows of typed cells under clickable headers: a click sorts by the column, a second click reverses it. */
export function TableGrid({
  columns,
  rows,
  media,
  annotations,
  sort,
  onSort,
  label,
}: {
  columns: GridColumn[];
  rows: TableCell[][];
  /** The page's media cells by SHA-256 (`media` of the rows answer). */
  media?: Record<string, TableMedia>;
  /** Annotated image cells' captions, boxes and masks by `<column index>#<n>` (`annotations` of the answer). */
  annotations?: Record<string, TableCellAnnotationView>;
  sort?: string;
  onSort?: (sort: string) => void;
  label: string;
}) {
  const descending = sort?.startsWith('-') ?? false;
  const sortedBy = sort?.replace(/^-/, '');
  const [hidden, setHidden] = useState<HiddenClasses>(new Set());
  const annotatedCell = (i: number, cell: string, r: number) => {
    const hash = cell.indexOf('#');
    const a = hash < 0 ? undefined : annotations?.[`${i}${cell.slice(hash)}`];
    const m = media?.[hash < 0 ? cell : cell.slice(0, hash)];
    return a && m ? annotatedItem(columns[i]?.name ?? '', r, m, a) : undefined;
  };
  // The classes of every box and mask on the page, each a toggle (as in the media panel).
  const classes = useMemo(
    () =>
      classesOf(
        Object.values(annotations ?? {}).map((a) => ({ boxes: a.boxes ?? null, masks: a.masks ?? null }) as unknown as StoredMedia),
      ),
    [annotations],
  );
  return (
    <div className="table-scroll">
      <ClassToggles classes={classes} hidden={hidden} onChange={setHidden} />
      <table className="grid" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c, i) => {
              const active = onSort && sortedBy === c.name;
              return (
                <th
                  key={i}
                  aria-sort={active ? (descending ? 'descending' : 'ascending') : undefined}
                  className={c.type === 'number' ? 'num' : ''}
                >
                  {c.group && <div className="muted">{c.group}</div>}
                  {onSort ? (
                    <button
                      className="link"
                      onClick={() => onSort(active && !descending ? `-${c.name}` : c.name)}
                      aria-label={`sort by ${c.name}`}
                    >
                      {c.name} {active ? (descending ? '▼' : '▲') : ''}
                    </button>
                  ) : (
                    c.name
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, i) => {
                const type = columns[i]?.type;
                const annotated = type === 'image' && typeof cell === 'string' ? annotatedCell(i, cell, r) : undefined;
                return (
                  <td key={i} className={type === 'number' ? 'num' : ''}>
                    {annotated ? (
                      <div className="table-annotated">
                        <ImageView item={annotated} hidden={hidden} />
                      </div>
                    ) : (type === 'image' || type === 'audio') && typeof cell === 'string' ? (
                      <MediaCell type={type} sha256={cell.split('#')[0]!} media={media?.[cell.split('#')[0]!]} />
                    ) : (
                      show(cell)
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Previous and next page of `total` rows, `size` at a time. */
export function Pager({
  offset,
  size,
  total,
  onChange,
}: {
  offset: number;
  size: number;
  total: number;
  onChange: (offset: number) => void;
}) {
  return (
    <div className="pager">
      <button disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - size))}>
        Previous
      </button>
      <span aria-label="rows shown">
        {total === 0 ? 0 : offset + 1}–{Math.min(offset + size, total)} of {total.toLocaleString('en-US')}
      </span>
      <button disabled={offset + size >= total} onClick={() => onChange(offset + size)}>
        Next
      </button>
    </div>
  );
}
