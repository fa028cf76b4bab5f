// Test support: a short-lived self-signed P-256 certificate made by openssl for the run (a stand-in for kubeadm's
// cluster CA or an API server's serving certificate).
import { execFileSync } from "node:child_process";

export interface SelfSignedOptions {
  /** Where the private key is written (PEM). */
  readonly keyFile: string;
  /** Where the certificate is written (PEM). */
  readonly certFile: string;
  /** The subject, e.g. `/CN=kubernetes`. */
  readonly subject: string;
  /** A subjectAltName extension, e.g. `IP:127.0.0.1`. @default none */
  readonly subjectAltName?: string;
}

/** Writes a self-signed certificate valid for one day and its key. */
export function selfSignedCertificate(options: SelfSignedOptions): void {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      options.keyFile,
      "-out",
      options.certFile,
      "-subj",
      options.subject,
      ...(options.subjectAltName ? ["-addext", `subjectAltName=${options.subjectAltName}`] : []),
      "-days",
      "1",
    ],
    { stdio: "ignore" },
  );
}
