import { fromHtml } from 'hast-util-from-html';
import { sanitize } from 'hast-util-sanitize';
import { toJsxRuntime } from 'hast-util-to-jsx-runtime';
import { Fragment, jsx, jsxs } from 'react/jsx-runtime';
import { Markdown, type MarkdownScope } from './Markdown';
import { fence, type Notebook as NotebookDoc, type NotebookOutput } from './notebook';
import { markdownSchema } from './schema';

/** HTML output of a cell, through the same allow-list as Markdown. */
function SafeHtml({ html }: { html: string }) {
  const tree = sanitize(fromHtml(html, { fragment: true }), markdownSchema);
  return <div className="nb-html">{toJsxRuntime(tree, { Fragment, jsx, jsxs })}</div>;
}

function Output({ output, scope }: { output: NotebookOutput; scope?: MarkdownScope }) {
  switch (output.type) {
    case 'html':
      return <SafeHtml html={output.html} />;
    case 'markdown':
      return <Markdown text={output.text} scope={scope} />;
    case 'image':
      return <img className="nb-image" src={output.src} alt="cell output" />;
    case 'text':
      return <pre className={`nb-text ${output.stream === 'stderr' ? 'nb-stderr' : ''}`}>{output.text}</pre>;
    case 'error':
      return <pre className="nb-text nb-stderr">{output.traceback || `${output.name}: ${output.value}`}</pre>;
  }
}

/** A notebook as Jupyter shows it: Markdown cells rendered, code highlighted, outputs sanitised. */
export function Notebook({ notebook, scope }: { notebook: NotebookDoc; scope?: MarkdownScope }) {
  return (
    <div className="notebook">
      {notebook.cells.map((cell, i) => (
        <div className={`nb-cell nb-${cell.type}`} key={i}>
          {cell.type === 'markdown' && <Markdown text={cell.source} scope={scope} />}
          {cell.type === 'raw' && <pre className="nb-text">{cell.source}</pre>}
          {cell.type === 'code' && (
            <>
              <div className="nb-input">
                <span className="nb-prompt muted">[{cell.executionCount ?? ' '}]:</span>
                <Markdown text={fence(cell.source, notebook.language)} className="markdown nb-source" />
              </div>
              {cell.outputs.map((output, j) => (
                <div className="nb-output" key={j}>
                  <Output output={output} scope={scope} />
                </div>
              ))}
            </>
          )}
        </div>
      ))}
    </div>
  );
}
