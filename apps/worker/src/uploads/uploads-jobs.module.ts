/** The 'uploads' job family: abandoned uploads removed from the object store and the database. */
import { Module } from '@nestjs/common';
import { UploadsSweepJob } from './uploads-sweep.job';

@Module({ providers: [UploadsSweepJob] })
export class UploadsJobsModule {}
