import { useState } from 'react';

/** Copies a text to the clipboard and says so for a moment. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard (plain http on another host): the text stays selectable
    }
    setTimeout(() => setCopied(null), 2_000);
  }
  return (
    <button type="button" className="secondary" onClick={() => void copy()} aria-label={`${label} to clipboard`}>
      {copied === true ? 'Copied' : copied === false ? 'Select and copy' : label}
    </button>
  );
}
