// Every `residency` command, each loaded only when used: `flows` must not pay for SQLite, the report renderers
// and the geolocation readers (startup on an empty capture is measured by npm run bench). scripts/bundle.ts
// builds one bundle per name listed here.

import type { CommandRegistry } from './program.js';

export const COMMANDS: CommandRegistry = {
  extract: async () => (await import('./commands/extract.js')).extractCommand(),
  flows: async () => (await import('./commands/flows.js')).flowsCommand(),
  dns: async () => (await import('./commands/dns.js')).dnsCommand(),
  geo: async () => (await import('./commands/geo.js')).geoCommand(),
  ingest: async () => (await import('./commands/ingest.js')).ingestCommand(),
  audit: async () => (await import('./commands/audit.js')).auditCommand(),
  report: async () => (await import('./commands/report.js')).reportCommand(),
  regress: async () => (await import('./commands/regress.js')).regressCommand(),
};
