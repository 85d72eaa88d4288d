import type { TableCell, TableColumn, TableMedia } from '@trackbase/contracts';
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

/** Rows of typed cells under clickable headers: a click sorts by the column, a second click reverses it. */
export function TableGrid({
  columns,
  rows,
  media,
  sort,
  onSort,
  label,
}: {
  columns: GridColumn[];
  rows: TableCell[][];
  /** The page's media cells by SHA-256 (`media` of the rows answer). */
  media?: Record<string, TableMedia>;
  sort?: string;
  onSort?: (sort: string) => void;
  label: string;
}) {
  const descending = sort?.startsWith('-') ?? false;
  const sortedBy = sort?.replace(/^-/, '');
  return (
    <div className="table-scroll">
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
                return (
                  <td key={i} className={type === 'number' ? 'num' : ''}>
                    {(type === 'image' || type === 'audio') && typeof cell === 'string' ? (
                      <MediaCell type={type} sha256={cell} media={media?.[cell]} />
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
