// Differential tests of the stand-ins in constructs/platform/ against cdktf 0.21.0's own functions, in one suite: the
// library is loaded once and the app of the example clusters and generatedFleet(1) is built once, in beforeAll, for
// every concern that compares on it (five suites of their own cost about twice as much wall time: issue 17 goal 4,
// `npm run test:unit` under 60 s). Each concern's tests and header are in test/support/platform-stand-ins/<concern>.ts.
// Order matters: logical IDs first (the stand-in keeps the id of each path, and the other concerns' toTerraform calls
// would have filled that memo), hasAspects after the concerns that only read the app (its tests give constructs Aspects
// objects and Aspects), the stack-file tests last (they synthesize apps of their own).
import { buildStandInApp, type StandInApp } from "./support/platform-stand-ins/app";
import { aspectsPresentTests } from "./support/platform-stand-ins/aspects-present";
import { attributeHelperTests } from "./support/platform-stand-ins/attribute-helpers";
import { logicalIdTests } from "./support/platform-stand-ins/logical-ids";
import { sameStackReferenceTests } from "./support/platform-stand-ins/same-stack-references";
import { stackFileWriteTests } from "./support/platform-stand-ins/stack-file-write";

let standInApp: StandInApp | undefined;
beforeAll(() => {
  standInApp = buildStandInApp();
});
const shared = (): StandInApp => {
  if (standInApp === undefined) throw new Error("the shared app is built in beforeAll");
  return standInApp;
};

logicalIdTests(shared);
attributeHelperTests(shared);
sameStackReferenceTests(shared);
aspectsPresentTests(shared);
stackFileWriteTests();
