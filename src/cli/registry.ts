// Every `residency` command, each loaded only when used: `flows` must not pay for SQLite, the report renderers
// and the geolocation readers (startup on an empty capture is measured by npm run bench). scripts/bundle.ts
// builds one bundle per name listed here.

import type { CommandRegistry } from './program.js';

export const COMMANDS: CommandRegistry = {
  extract: async (io) => (await import('./commands/extract.js')).extractCommand(io),
  flows: async (io) => (await import('./commands/flows.js')).flowsCommand(io),
  dns: async (io) => (await import('./commands/dns.js')).dnsCommand(io),
  geo: async (io) => (await import('./commands/geo.js')).geoCommand(io),
  ingest: async (io) => (await import('./commands/ingest.js')).ingestCommand(io),
  audit: async (io) => (await import('./commands/audit.js')).auditCommand(io),
  report: async (io) => (await import('./commands/report.js')).reportCommand(io),
  regress: async (io) => (await import('./commands/regress.js')).regressCommand(io),
  worker: async (io) => (await import('./commands/worker.js')).workerCommand(io),
};
