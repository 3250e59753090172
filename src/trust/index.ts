/** The trust layer's public surface: what the router, the inbox and the CLI import. */
export { type CheckResult, checkText, secretEntities } from './check.ts';
export {
  type CheckOutput,
  loadOfficialFile,
  type TrustCheckArgs,
  trustCheck,
  trustExport,
  trustFlag,
  trustImport,
  trustList,
  trustUnflag,
  trustVerifyCode,
} from './cli.ts';
export { type CodeCheck, type CodeHolder, CodeLedger, canonicalCode, VerificationCodes } from './codes.ts';
export { type Extracted, extract } from './extract.ts';
export { OfficialRegistry } from './official.ts';
export { type FlagInput, Report, ScamRegistry, type ScamRegistryOptions } from './registry.ts';
export { FlagEntry, FlagKind, normalizeFlagValue, RegistryIndex } from './registry-index.ts';
export { fromCsv, fromJson, parseRegistryFile, toCsv, toJson } from './registry-io.ts';
export { type ScanContext, type Sender, TrustScanner } from './scanner.ts';
export { PLACEHOLDERS, type Shielded, shield } from './shield.ts';
