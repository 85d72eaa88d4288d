/** A folder or a page, drawn inline (emoji fonts are missing on many Linux desktops). */
export function FileIcon({ dir }: { dir: boolean }) {
  return (
    <svg className="file-icon" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {dir ? (
        <path d="M1.5 3.5h4l1.5 1.5h7.5v8h-13z" fill="#fde68a" stroke="#b45309" strokeWidth="1" strokeLinejoin="round" />
      ) : (
        <path d="M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3" fill="#fff" stroke="#6b7280" strokeWidth="1" strokeLinejoin="round" />
      )}
    </svg>
  );
}
