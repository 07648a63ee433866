import { Attachment, ErrorBody } from '@chat/protocol';
import { ChatError } from './errors';
import type { UploadFile, UploadOptions } from './types';

/** The server's default MAX_ATTACHMENT_BYTES (docs/protocol.md section 11): 25 MiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

export interface UploadRequest {
  /** The full URL of `POST /api/attachments?name=`. */
  url: string;
  token: string;
  file: UploadFile;
  options: UploadOptions;
  /** Used when there is no XMLHttpRequest (Node), or when given. */
  fetch?: typeof fetch | undefined;
}

function abortedError(): ChatError {
  return new ChatError('aborted', 'the upload was stopped');
}

function tooLargeError(message = 'the file is too large'): ChatError {
  return new ChatError('too_large', message);
}

/** Turns an HTTP answer into the Attachment or the ChatError it means. */
function settle(status: number, json: unknown): Attachment {
  if (status === 201 || status === 200) {
    const body = typeof json === 'object' && json !== null ? (json as { attachment?: unknown }) : {};
    const parsed = Attachment.safeParse(body.attachment);
    if (!parsed.success) throw new ChatError('internal', 'upload: unexpected response body');
    return parsed.data;
  }
  const error = ErrorBody.safeParse(json);
  const message = error.success ? error.data.error.message : `upload answered ${status}`;
  if (status === 413) throw tooLargeError(message);
  if (error.success) throw new ChatError(error.data.error.code, message);
  throw new ChatError(status === 0 ? 'network' : 'internal', message);
}

/**
 * One upload. In browsers through XMLHttpRequest, the only API that reports upload progress;
 * elsewhere through fetch (progress then comes once, at the end).
 */
export function sendUpload(request: UploadRequest): Promise<Attachment> {
  const { signal } = request.options;
  if (signal?.aborted) return Promise.reject(abortedError());
  const XHR = (globalThis as { XMLHttpRequest?: typeof XMLHttpRequest }).XMLHttpRequest;
  if (XHR && !request.fetch) return xhrUpload(XHR, request);
  return fetchUpload(request);
}

function headers(request: UploadRequest): Record<string, string> {
  return {
    authorization: `Bearer ${request.token}`,
    accept: 'application/json',
    'content-type': request.file.type || 'application/octet-stream',
  };
}

function xhrUpload(XHR: typeof XMLHttpRequest, request: UploadRequest): Promise<Attachment> {
  const { onProgress, signal } = request.options;
  return new Promise<Attachment>((resolve, reject) => {
    const xhr = new XHR();
    const onAbort = () => xhr.abort();
    const done = () => signal?.removeEventListener('abort', onAbort);
    xhr.open('POST', request.url);
    for (const [name, value] of Object.entries(headers(request))) xhr.setRequestHeader(name, value);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (event) => {
      onProgress?.(event.loaded, event.lengthComputable ? event.total : request.file.size);
    };
    xhr.onload = () => {
      done();
      let json: unknown;
      try {
        json = JSON.parse(xhr.responseText) as unknown;
      } catch {
        json = undefined;
      }
      try {
        const attachment = settle(xhr.status, json);
        onProgress?.(request.file.size, request.file.size);
        resolve(attachment);
      } catch (error) {
        reject(error as Error);
      }
    };
    xhr.onerror = () => {
      done();
      reject(new ChatError('network', 'upload failed: no answer from the server'));
    };
    xhr.onabort = () => {
      done();
      reject(abortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    xhr.send(request.file);
  });
}

async function fetchUpload(request: UploadRequest): Promise<Attachment> {
  const { onProgress, signal } = request.options;
  const doFetch = request.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(request.url, {
      method: 'POST',
      headers: headers(request),
      body: request.file,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw abortedError();
    throw new ChatError('network', `upload failed: ${(error as Error).message}`);
  }
  const json: unknown = await response.json().catch(() => undefined);
  const attachment = settle(response.status, json);
  onProgress?.(request.file.size, request.file.size);
  return attachment;
}
