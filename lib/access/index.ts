import 'server-only';
export * from './config';
export * from './cors';
export * from './links';
export * from './principal';
export * from './scope';
export * from './session';
