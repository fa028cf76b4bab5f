// Owns the library's own version, recorded in the fleet lock with every frozen generation ("rendered by
// immutable-clusters 0.1.0"). Kept equal to package.json's "version" by test/fleet-frozen.test.ts; constructs read no
// files, so the version is a constant rather than a read of package.json (whose path differs between src and lib/).

/** The version of immutable-clusters that this code is. */
export const LIBRARY_VERSION = "0.2.0";
