import type { z } from 'zod';
import { ErrorCode } from './codes';
import { CLIENT_FRAME_TYPES, ClientFrame, Ref } from './client-frames';
import { Id } from './models';
import { ServerFrame } from './server-frames';

export type FrameProblem = {
  code: typeof ErrorCode.BadRequest;
  message: string;
  /** Echoed when the refused frame carried a usable one. */
  ref?: string;
  /** Echoed when a refused `send_message` carried a valid one. */
  client_id?: string;
  /** The frame's `type`, when it had a known one (for metrics and handlers). */
  type?: string;
};

export type ParseResult<T> = { ok: true; frame: T } | { ok: false; problem: FrameProblem };

const knownTypes = new Set<string>(CLIENT_FRAME_TYPES);

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/**
 * The one choke point where client frames are validated. Takes the raw text of a
 * frame and returns either a typed frame or the problem to report as `bad_request`.
 */
export function parseClientFrame(text: string): ParseResult<ClientFrame> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: { code: ErrorCode.BadRequest, message: 'frame is not valid JSON' } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: { code: ErrorCode.BadRequest, message: 'frame must be a JSON object' } };
  }
  const record = value as Record<string, unknown>;
  const ref = Ref.safeParse(record.ref).success ? (record.ref as string) : undefined;
  const type = typeof record.type === 'string' ? record.type : undefined;
  const base = { code: ErrorCode.BadRequest, ...(ref === undefined ? {} : { ref }) };
  if (type === undefined) {
    return { ok: false, problem: { ...base, message: 'frame must have a string "type"' } };
  }
  if (!knownTypes.has(type)) {
    return { ok: false, problem: { ...base, message: `unknown frame type "${type.slice(0, 40)}"` } };
  }
  const parsed = ClientFrame.safeParse(value);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const clientId =
    type === 'send_message' && Id.safeParse(record.client_id).success
      ? (record.client_id as string)
      : undefined;
  return {
    ok: false,
    problem: {
      ...base,
      type,
      message: `invalid ${type}: ${describeIssues(parsed.error)}`,
      ...(clientId === undefined ? {} : { client_id: clientId }),
    },
  };
}

/** Clients validate what the server sends with the same schemas. */
export function parseServerFrame(text: string): ParseResult<ServerFrame> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: { code: ErrorCode.BadRequest, message: 'frame is not valid JSON' } };
  }
  const parsed = ServerFrame.safeParse(value);
  if (parsed.success) return { ok: true, frame: parsed.data };
  return {
    ok: false,
    problem: { code: ErrorCode.BadRequest, message: `invalid server frame: ${describeIssues(parsed.error)}` },
  };
}
