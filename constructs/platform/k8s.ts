// Owns every import of cdk8s-plus-27: only its generated Kubernetes API classes (`k8s.KubeDeployment`, ...), from
// their own module `cdk8s-plus-27/lib/imports/k8s`. The package index (cdk8s-plus-27 2.9.5 lib/index.js, as installed)
// also loads its 25 L2 construct modules and its own minimatch before `exports.k8s = require("./imports/k8s")`, none
// of which the library uses: 33 modules instead of 1 per process, and per jest suite. Same module object either way.
// Before the package loads: the packages it loads but a synth never calls wait for first use (deferred-packages.ts).
import "./deferred-packages";
import * as k8s from "cdk8s-plus-27/lib/imports/k8s";

export { k8s };
