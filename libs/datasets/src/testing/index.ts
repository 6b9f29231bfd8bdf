export * from './evaluation-dataset';
