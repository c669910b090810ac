/** The Logscope log viewer: this file is its only entry for the app (the library's: library.tsx). */
export { LogViewer } from './log-viewer';
export type { LogViewerProps } from './log-viewer';
export { EmbedFrame } from './embed-frame';
/** The escaped ANSI line rendering, for other views of lines (the diff view, components/diff-view). */
export { LineHtml, LineHtmlCache } from './line-html';
