/** Copies text to the clipboard and says so; when the browser refuses, says how to copy by hand. */
import { useState } from 'react';

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  }
  return (
    <>
      <button type="button" className="btn" onClick={copy}>
        {state === 'copied' ? 'Copied' : label}
      </button>
      <span className="sr-only" role="status">
        {state === 'copied' ? 'Copied to the clipboard' : ''}
      </span>
      {state === 'failed' ? (
        <span className="field-error">The browser blocked the clipboard: select the text and copy it with Ctrl+C.</span>
      ) : null}
    </>
  );
}
