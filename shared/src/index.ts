export * from './audit';
export * from './cache';
export * from './errors';
export * from './ids';
export * from './jobs';
export * from './problems';
export * from './roles';
export * from './sessions';
