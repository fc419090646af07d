/** WebAuthn options and credentials as JSON (base64url), the form py_webauthn reads and writes. */
type JsonObject = Record<string, unknown>;

function fromB64url(value: string): ArrayBuffer {
  const b64 = value.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(value.length / 4) * 4, "=");
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

function toB64url(buffer: ArrayBuffer | null): string | null {
  if (!buffer) return null;
  let bin = "";
  for (const b of new Uint8Array(buffer)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function withIds(list: unknown): unknown {
  return Array.isArray(list) ? list.map((c: JsonObject) => ({ ...c, id: fromB64url(String(c.id)) })) : list;
}

export function passkeysSupported(): boolean {
  return typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
}

export async function getAssertion(options: JsonObject): Promise<JsonObject> {
  const o = (options.publicKey as JsonObject | undefined) ?? options;
  const publicKey = {
    ...o,
    challenge: fromB64url(String(o.challenge)),
    allowCredentials: withIds(o.allowCredentials),
  } as PublicKeyCredentialRequestOptions;
  const cred = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential | null;
  if (!cred) throw new Error("Không nhận được khóa truy cập.");
  const r = cred.response as AuthenticatorAssertionResponse;
  return {
    id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    clientExtensionResults: cred.getClientExtensionResults(),
    response: {
      clientDataJSON: toB64url(r.clientDataJSON), authenticatorData: toB64url(r.authenticatorData),
      signature: toB64url(r.signature), userHandle: toB64url(r.userHandle),
    },
  };
}

export async function createCredential(options: JsonObject): Promise<JsonObject> {
  const o = (options.publicKey as JsonObject | undefined) ?? options;
  const user = o.user as JsonObject;
  const publicKey = {
    ...o,
    challenge: fromB64url(String(o.challenge)),
    user: { ...user, id: fromB64url(String(user.id)) },
    excludeCredentials: withIds(o.excludeCredentials),
  } as PublicKeyCredentialCreationOptions;
  const cred = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential | null;
  if (!cred) throw new Error("Không tạo được khóa truy cập.");
  const r = cred.response as AuthenticatorAttestationResponse;
  return {
    id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    clientExtensionResults: cred.getClientExtensionResults(),
    response: {
      clientDataJSON: toB64url(r.clientDataJSON), attestationObject: toB64url(r.attestationObject),
      transports: typeof r.getTransports === "function" ? r.getTransports() : undefined,
    },
  };
}
