/** Aliases of a version as small labels; `latest` first. */
export function AliasChips({ aliases }: { aliases: string[] }) {
  const sorted = [...aliases].sort((a, b) => (a === 'latest' ? -1 : b === 'latest' ? 1 : a.localeCompare(b)));
  return (
    <>
      {sorted.map((a) => (
        <span key={a} className={a === 'latest' ? 'tag alias latest' : 'tag alias'}>
          {a}
        </span>
      ))}
    </>
  );
}
