// Owns where a definitions repository keeps its fleet lock and the variable that points a synth at another lock: two
// names, apart from lock.ts so that what only needs the path (the review) does not load the lock's parsers and renderers.

/** Where the lock lives, relative to the definitions repository's root. */
export const LOCK_FILE = "clusters/generations.lock.json";

/** Environment variable naming another lock file to guard with (the review passes the base revision's lock). */
export const LOCK_FILE_ENV = "IMMUTABLE_CLUSTERS_LOCK_FILE";
