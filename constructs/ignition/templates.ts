// Owns the node files kept as real files beside this code (units, configs, scripts): reading them from `files/` (also
// from the compiled library, where the build copies them) and filling their `{{NAME}}` placeholders, refusing a
// template that names a value not given or is given a value it never uses.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const FILES = join(__dirname, "files");

/**
 * Texts and folder listings already read in this process: the files ship with the library and do not change while it
 * runs, and every generation of a fleet reads the same ones (reading them again was about 1.5% of a fleet's CPU).
 */
const texts = new Map<string, string>();
const listings = new Map<string, readonly string[]>();

/** The text of `files/<relative>`. */
export function nodeFile(relative: string): string {
  let text = texts.get(relative);
  if (text === undefined) {
    text = readFileSync(join(FILES, relative), "utf8");
    texts.set(relative, text);
  }
  return text;
}

/** The names of the files in `files/<folder>` that match `pattern`, sorted. */
export function nodeFiles(folder: string, pattern: RegExp): string[] {
  let names = listings.get(folder);
  if (names === undefined) {
    names = readdirSync(join(FILES, folder));
    listings.set(folder, names);
  }
  return names.filter((name) => pattern.test(name)).sort();
}

/** `files/<relative>` with every `{{NAME}}` replaced by `values[NAME]`. */
export function renderTemplate(relative: string, values: Readonly<Record<string, string | number>>): string {
  const text = nodeFile(relative);
  const used = new Set<string>();
  const out = text.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`template files/${relative} needs a value for {{${name}}}`);
    used.add(name);
    return String(values[name]);
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length) throw new Error(`template files/${relative} has no placeholder for ${unused.join(", ")}`);
  return out;
}
