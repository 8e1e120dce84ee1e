/** Who is asking, and how: what every registry operation is given. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface RequestContext {
  user: UserInfo;
  /** dryRun=All: run every step but the write. */
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  /** Warnings to return as `Warning: 299 - "…"` headers. */
  warnings?: string[];
  signal?: AbortSignal;
}

/** The identity the control plane's own components use in-process. */
export const systemUser: UserInfo = { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

export function warn(ctx: RequestContext, text: string): void {
  (ctx.warnings ??= []).push(text);
}
