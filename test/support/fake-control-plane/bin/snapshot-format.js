// The fake etcd snapshot format shared by the fake etcdctl and etcdutl (not a bolt database, but shaped like what
// `etcdctl snapshot save` writes, etcd at tag v3.5.33, commit 9f4b125405c7fbd92e2c9cbb5235feffe1904a1d): a database
// whose size is a whole number of 512-byte blocks, then the SHA-256 of it (client/v3/snapshot/v3_snapshot.go
// SaveWithVersion checks "(size-sha256.Size)%512 == 0"; etcdutl/snapshot/v3_snapshot.go hasChecksum). The database
// starts with a recognizable header line holding its revision, key count and the SHA-256 of the rest, which stands in
// for bolt's own consistency check (tx.Check, run by `etcdutl snapshot status`).
"use strict";
const { Buffer } = require("node:buffer");
const crypto = require("node:crypto");

const MAGIC = "FAKE-ETCD-SNAPSHOT ";
const sha = (b) => crypto.createHash("sha256").update(b).digest();

/** A snapshot of `keys` keys at `revision`; `corrupt` flips bytes of the database before the hash is appended. */
function build(revision, keys, corrupt) {
  const body = Buffer.from(Array.from({ length: keys }, (_, i) => `/registry/key-${i}=value-${i}\n`).join(""));
  const header = Buffer.from(`${MAGIC}${JSON.stringify({ revision, totalKey: keys, bodySha: sha(body).toString("hex") })}\n`);
  let db = Buffer.concat([header, body]);
  db = Buffer.concat([db, Buffer.alloc((512 - (db.length % 512)) % 512)]);
  if (corrupt) for (let i = header.length; i < header.length + 8; i++) db[i] ^= 0xff;
  return Buffer.concat([db, sha(db)]);
}

/** The database of a snapshot file (its appended hash cut off when present: hasChecksum). */
function database(file) {
  return file.length % 512 === 32 ? file.subarray(0, file.length - 32) : file;
}

/** etcdutl snapshot status: {hash, revision, totalKey, totalSize, version} or throws with etcdutl's message. */
function status(file) {
  const db = database(file);
  const nl = db.indexOf(10);
  if (!db.subarray(0, MAGIC.length).equals(Buffer.from(MAGIC)) || nl < 0) throw new Error("invalid database"); // bbolt ErrInvalid
  const meta = JSON.parse(db.subarray(MAGIC.length, nl).toString());
  const body = db.subarray(
    nl + 1,
    nl + 1 + Buffer.byteLength(Array.from({ length: meta.totalKey }, (_, i) => `/registry/key-${i}=value-${i}\n`).join("")),
  );
  if (sha(body).toString("hex") !== meta.bodySha)
    throw new Error(`snapshot file integrity check failed. 1 errors found.\npage 3: invalid type: unknown<ff>`);
  return { hash: sha(db).readUInt32BE(0), revision: meta.revision, totalKey: meta.totalKey, totalSize: db.length, version: "3.5.0" };
}

module.exports = { build, database, status, sha };
