import { SupportDataError } from '../../src/support/files.ts';

/** The problems a support-data loader reports for what `fn` loads; fails if it reports none. */
export function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof SupportDataError) return e.problems;
    throw e;
  }
  throw new Error('expected a SupportDataError');
}
