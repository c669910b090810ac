import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { LogViewer, type LineClickEvent } from 'logscope/viewer';
import 'logscope/viewer.css';

/*
 * Two independent Logscope viewers on one page. Which jobs: the page's query string,
 *   ?a=<signed link to a job>&b=<signed link to another>
 * (any Logscope URL carrying ?access=<signed link token>), or
 *   ?base=http://logs.example:3000&a=<job id>&b=<job id>
 * on a server without access control, or with a read key: a real app gets the key from its
 * backend; this example takes it from sessionStorage ("logscope-read-key") so that it never
 * sits in a URL.
 */
const params = new URLSearchParams(window.location.search);
const readKey = sessionStorage.getItem('logscope-read-key') ?? undefined;

function target(name: string): { signedUrl: string } | { baseUrl: string; job: string; token?: string } | null {
  const value = params.get(name);
  if (!value) return null;
  if (/^https?:\/\//.test(value)) return { signedUrl: value };
  return { baseUrl: params.get('base') ?? '', job: value, ...(readKey ? { token: readKey } : {}) };
}

function App() {
  const a = target('a');
  const b = target('b');
  const [line, setLine] = useState<string | null>(params.get('line'));
  const [clicked, setClicked] = useState<LineClickEvent | null>(null);
  const [ended, setEnded] = useState<string[]>([]);
  if (!a || !b) return <p>Give two jobs: ?a=&lt;signed link&gt;&amp;b=&lt;signed link&gt;</p>;
  return (
    <>
      <h1>Host page</h1>
      <p id="status">
        {clicked ? `clicked ${clicked.step}:${clicked.line}${clicked.to !== clicked.line ? `-${clicked.to}` : ''}` : 'no line clicked'}
        {ended.length > 0 && ` · ended: ${ended.join(', ')}`}
      </p>
      <p>
        <button type="button" id="go-a" onClick={() => setLine(params.get('goto') ?? 'build:5')}>
          Viewer A: go to {params.get('goto') ?? 'build:5'}
        </button>
      </p>
      <div className="panes">
        <div className="pane" id="viewer-a">
          <LogViewer
            {...a}
            theme="dark"
            height={420}
            line={line}
            onLineClick={setClicked}
            onJobEnd={(status) => setEnded((e) => [...e, `A ${status}`])}
          />
        </div>
        <div className="pane" id="viewer-b">
          <LogViewer {...b} theme="light" chrome="minimal" height={420} onJobEnd={(status) => setEnded((e) => [...e, `B ${status}`])} />
        </div>
      </div>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
