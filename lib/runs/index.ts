export * from './key';
export * from './runs';
