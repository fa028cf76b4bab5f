// Per-generation shortcuts in writing a node config, each against the plain computation it stands in for:
// - the data URL of a file (ignition/builder/contents.ts) skips building the percent-encoded URL when the gzip one is
//   shorter than any percent-encoding can be: the choice must stay the shorter of the two, a tie percent-encoded, and a
//   text with a lone surrogate must still throw encodeURIComponent's URIError;
// - a node config's UTF-8 bytes are encoded once (cluster.ts storeNodeConfig): the S3 object's base64 and the pointer's
//   SHA-512 of the bytes must be those of the text, in both object forms.
import { gzipSync } from "node:zlib";
import { dataUrl, decodeDataUrl, replacePointer } from "../constructs/ignition/builder";
import { nodeBucketObjectContent, utf8Text } from "../constructs/cluster/node-bucket-object-content";
import { base64OfBytes, isKnownBase64 } from "../constructs/platform/known-base64";
import { userDataPointer } from "../constructs/ignition/node-config";

/** The data URL as written before the shortcut: both encodings built, the shorter kept (percent-encoded on a tie). */
function bothEncodings(text: string): { source: string; compression?: "gzip" } {
  const plain = `data:,${encodeURIComponent(text)}`;
  const gz = `data:;base64,${gzipSync(Buffer.from(text, "utf8"), { level: 9 }).toString("base64")}`;
  return gz.length < plain.length ? { source: gz, compression: "gzip" } : { source: plain };
}

/** Texts around the point where gzip starts to win, ASCII and not, each new to dataUrl's store (a per-test suffix). */
function texts(suffix: string): string[] {
  const out: string[] = [];
  for (let n = 0; n <= 400; n += 7) {
    out.push(`${"a=b ".repeat(n)}${suffix}`);
    out.push(`${"key: value\n".repeat(Math.floor(n / 3))}${suffix}`);
    out.push(`${"é€ 😀 ".repeat(Math.floor(n / 5))}${suffix}`);
    out.push(`${"x".repeat(n)}${suffix}`);
  }
  out.push(`apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\n${suffix}\n`);
  return out;
}

describe("dataUrl", () => {
  test("chooses as building both encodings does, for texts where either is shorter", () => {
    const cases = texts("-choice");
    const kinds = new Set<string | undefined>();
    for (const text of cases) {
      const encoded = dataUrl(text);
      expect(encoded).toEqual(bothEncodings(text));
      expect(decodeDataUrl(encoded.source, encoded.compression)).toBe(text);
      kinds.add(encoded.compression);
    }
    // Both outcomes are exercised.
    expect([...kinds].sort()).toEqual(["gzip", undefined]);
  });

  test("a tie keeps the percent-encoded URL", () => {
    // Search a text whose two URLs are equally long, and check it is written percent-encoded.
    let tie: string | undefined;
    for (let n = 1; n < 400 && tie === undefined; n++) {
      const text = `${"q".repeat(n)}-tie`;
      const plain = `data:,${encodeURIComponent(text)}`;
      const gz = `data:;base64,${gzipSync(Buffer.from(text, "utf8"), { level: 9 }).toString("base64")}`;
      if (gz.length === plain.length) tie = text;
    }
    expect(tie).toBeDefined();
    expect(dataUrl(tie!)).toEqual({ source: `data:,${encodeURIComponent(tie!)}` });
  });

  test("a text with a lone surrogate throws encodeURIComponent's URIError, even when gzip would be shorter", () => {
    const lone = `${"line of a long repetitive file\n".repeat(200)}\ud800`;
    expect(() => encodeURIComponent(lone)).toThrow(URIError);
    expect(() => dataUrl(lone)).toThrow(URIError);
    expect(() => dataUrl(`${"y".repeat(2000)}\udc00x`)).toThrow(URIError);
  });
});

describe("a node config encoded once", () => {
  const text = `{"ignition":{"version":"3.3.0"},"x":"é ${"$"}{HOME} %{if} 😀 ${"z".repeat(5000)}"}`;
  const encoded = utf8Text(text);

  test("its bytes are the text's UTF-8", () => {
    expect(encoded.text).toBe(text);
    expect(encoded.bytes.equals(Buffer.from(text, "utf8"))).toBe(true);
  });

  test("the object's arguments are those of the text, in both forms, and the base64 is known", () => {
    expect(nodeBucketObjectContent(encoded, "content-base64")).toEqual(nodeBucketObjectContent(text, "content-base64"));
    expect(nodeBucketObjectContent(encoded, "escaped-content")).toEqual(nodeBucketObjectContent(text, "escaped-content"));
    const base64 = base64OfBytes(encoded.bytes);
    expect(base64).toBe(Buffer.from(text, "utf8").toString("base64"));
    expect(isKnownBase64(base64)).toBe(true);
  });

  test("the pointer pins the same SHA-512 for the bytes as for the text", () => {
    expect(userDataPointer("bucket", "ignition/controller.ign", encoded.bytes)).toBe(
      userDataPointer("bucket", "ignition/controller.ign", text),
    );
    expect(replacePointer("s3://b/k", encoded.bytes)).not.toBe(replacePointer("s3://b/k", `${text} `));
  });
});
