/** Types of prebuilt.js (plain JavaScript: bin.js runs it before any compiler is loaded). */
export declare const ROOT: string;
export declare const STAMP: string;
export declare const STAMP_VERSION: number;
export type Fingerprint = [rel: string, size: number, mtimeMs: number];
export declare function buildDir(env?: NodeJS.ProcessEnv): string;
export declare function fingerprint(root: string, rel: string): Fingerprint | null;
export declare function stampIsCurrent(dir: string, root?: string, why?: { reason?: string }): boolean;
export declare function currentBuild(dir: string, root?: string, why?: { reason?: string }): string | null;
