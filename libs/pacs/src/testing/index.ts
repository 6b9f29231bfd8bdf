/**
 * A local Orthanc for the dev launcher and the integration tests, and the sample DICOM files the
 * tests load into it; imported as `@caliper/pacs/testing`, never by the runtime entry.
 */
export * from './orthanc';
export * from './sample-files';
export * from './generate';
