/** JSON.parse for untrusted text: undefined instead of a throw, so zod reports the problem. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
