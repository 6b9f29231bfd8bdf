// Loads TypeScript sources at runtime with SWC (decorator metadata on, as NestJS needs).
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || require('node:path').join(__dirname, '..', 'tsconfig.base.json');
require('reflect-metadata');
require('@swc-node/register');
