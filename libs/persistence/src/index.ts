export * from './data-source';
export * from './audit.repository';
export * from './database-admin';
export * from './entities/user.entity';
export * from './entities/project.entity';
export * from './entities/infra.entity';
export * from './testing/test-database';
