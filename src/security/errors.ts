/**
 * Security outcomes as data. Each code maps to one HTTP status so every surface (REST, WebSocket, MQTT)
 * answers the same thing for the same cause. Tests assert the code, never the message.
 */
export type SecurityCode =
  | 'ARS_E_AUTH_REQUIRED' // no credentials presented (401)
  | 'ARS_E_AUTH_INVALID' // credentials presented but not valid: unknown, revoked, expired, forged (401)
  | 'ARS_E_FORBIDDEN' // authenticated, not allowed, and the resource is the subject's own tenant's (403)
  | 'ARS_E_NOT_FOUND' // absent, or another tenant's: the two are indistinguishable on purpose (404)
  | 'ARS_E_POLICY_INVALID' // a policy document or change that cannot be accepted (400)
  | 'ARS_E_QUERY_INVALID' // an RQL filter or sort that does not parse (400)
  | 'ARS_E_PAYLOAD_TOO_LARGE' // body or message over the tenant's size limit (413)
  | 'ARS_E_RATE_LIMITED' // token bucket empty (429)
  | 'ARS_E_QUOTA' // a count limit such as the number of things (403 is wrong: it is not a permission) (429)
  | 'ARS_E_INSECURE_BIND' // refusing to listen beyond loopback without authentication (configuration)
  | 'ARS_E_CRYPTO'; // a ciphertext that does not open: unknown key id, tampered, malformed

export const HTTP_STATUS: Readonly<Record<SecurityCode, number>> = {
  ARS_E_AUTH_REQUIRED: 401,
  ARS_E_AUTH_INVALID: 401,
  ARS_E_FORBIDDEN: 403,
  ARS_E_NOT_FOUND: 404,
  ARS_E_POLICY_INVALID: 400,
  ARS_E_QUERY_INVALID: 400,
  ARS_E_PAYLOAD_TOO_LARGE: 413,
  ARS_E_RATE_LIMITED: 429,
  ARS_E_QUOTA: 429,
  ARS_E_INSECURE_BIND: 500,
  ARS_E_CRYPTO: 500,
};

export class SecurityError extends Error {
  readonly code: SecurityCode;
  /** extra facts safe to show the caller (never secrets, never another tenant's data) */
  readonly detail: Readonly<Record<string, unknown>>;
  constructor(code: SecurityCode, message: string, detail: Record<string, unknown> = {}) {
    super(message);
    this.name = 'SecurityError';
    this.code = code;
    this.detail = Object.freeze({ ...detail });
  }
  get status(): number {
    return HTTP_STATUS[this.code];
  }
}
