export * from './errors';
export * from './roles';
export * from './slug';
export * from './schemas/auth';
export * from './schemas/orgs';
export * from './schemas/projects';
export * from './schemas/runs';
export * from './paths';
