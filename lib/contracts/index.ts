export * from './ids';
export * from './job';
export * from './lines';
export * from './events';
export * from './search';
export * from './download';
export * from './health';
export * from './errors';
