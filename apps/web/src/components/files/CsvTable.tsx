/** CSV rows as a table, the first row as the header. */
export function CsvTable({ rows, name }: { rows: string[][]; name: string }) {
  if (rows.length === 0) return <p className="muted">No rows.</p>;
  const [head, ...body] = rows;
  const width = Math.max(...rows.map((r) => r.length));
  const cells = (row: string[]) => Array.from({ length: width }, (_, i) => row[i] ?? '');
  return (
    <div className="table-scroll">
      <table className="grid csv" aria-label={`Rows of ${name}`}>
        <thead>
          <tr>
            {cells(head!).map((c, i) => (
              <th key={i}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {body.map((row, r) => (
            <tr key={r}>
              {cells(row).map((c, i) => (
                <td key={i}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
