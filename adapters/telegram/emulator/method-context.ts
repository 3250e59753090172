import type { FloodControl } from './limits.ts';
import type { UpdateQueue } from './updates.ts';
import type { World } from './world.ts';

export interface UploadedFile {
  bytes: Buffer;
  name?: string;
  mimeType?: string;
}

export interface MethodCall {
  params: Record<string, unknown>;
  uploads: Map<string, UploadedFile>;
  /** Settles when the caller hung up (a long poll then stops waiting). */
  closed: Promise<void>;
}

export type MethodHandler = (call: MethodCall) => unknown;

/** What every Bot API method implementation may touch. */
export interface MethodContext {
  world: World;
  queue: UpdateQueue;
  flood: FloodControl;
  commands: Map<string, { command: string; description: string }[]>;
  now(): number;
}
