/** The embeddable Logscope log viewer: this file is its only public entry. */
export { LogViewer } from './log-viewer';
export type { LogViewerProps } from './log-viewer';
