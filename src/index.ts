// Library API: what the CLI and other programs import. One import per stage entry point; no logic here.

export { analyzeCapture, type AnalyzeHandlers, type AnalyzeOptions, type OracleSink } from './pipeline.js';
export { analyzeInput } from './input.js';
export { extractOracleDoc, formatOracleDoc, writeOracleDoc, type DocSink, type WriteOracleDocOptions } from './oracle-doc.js';
export { readCapture, readCaptureStream, type CaptureHandler, type CaptureReadSummary, type ReadOptions } from './capture/reader.js';
export { GeoLocator, type GeoLocatorOptions } from './geo/index.js';
export { runAudit, type AuditOptions, type AuditResult } from './pipeline/back-half.js';
export { writeReports, type ReportFormat } from './report/index.js';
export { runRegress, type RegressOptions, type RegressResult } from './regress/run.js';
export * from './vantage/index.js';
export { openStore } from './store/db.js';
export { ingestCapture } from './store/ingest.js';
export { CaptureError, UsageError, InternalError, EXIT } from './errors.js';
export { TOOL_VERSION } from './version.js';
export type * from './types.js';
