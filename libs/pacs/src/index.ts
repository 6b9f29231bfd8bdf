export * from './pacs-error';
export * from './dicom-json';
export * from './qido-query';
export * from './multipart';
export * from './dicomweb-client';
export * from './dicom-file';
export * from './dicom-seg';
export * from './deidentify';
