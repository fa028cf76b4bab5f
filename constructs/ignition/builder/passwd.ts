// Owns the passwd section of an Ignition config: login users with their SSH public keys. Node configs add none by
// default (no SSH); a key that is not an OpenSSH public key, e.g. a pasted private key, is refused.

/** A login user. */
export interface UserOptions {
  /** User name, e.g. `core` (Flatcar's default user). */
  readonly name: string;
  /** OpenSSH public keys (`ssh-ed25519 AAAA… comment`). @default [] */
  readonly sshAuthorizedKeys?: readonly string[];
  /** Supplementary groups, e.g. `sudo`. @default [] */
  readonly groups?: readonly string[];
}

export interface UserEntry {
  name: string;
  sshAuthorizedKeys?: string[];
  groups?: string[];
}

const PUBLIC_KEY =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/;

/** Whether a string is one OpenSSH public key line. */
export function isSshPublicKey(key: string): boolean {
  return PUBLIC_KEY.test(key);
}

export function userEntry(options: UserOptions): UserEntry {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(options.name)) throw new Error(`user "${options.name}" is not a valid user name`);
  const keys = options.sshAuthorizedKeys ?? [];
  keys.forEach((key, i) => {
    if (!isSshPublicKey(key)) throw new Error(`user "${options.name}": sshAuthorizedKeys[${i}] is not an OpenSSH public key line`);
  });
  return {
    name: options.name,
    ...(keys.length ? { sshAuthorizedKeys: [...keys] } : {}),
    ...(options.groups?.length ? { groups: [...options.groups].sort() } : {}),
  };
}
