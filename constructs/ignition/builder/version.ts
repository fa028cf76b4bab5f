// Owns the Ignition config specification version every config this library writes declares.

/** Flatcar's Ignition (v2.14+) reads spec 3.3.0; so does the Debian `ignition-validate` the tests run. */
export const IGNITION_VERSION = "3.3.0";
