// After `vite build`: writes dist/sw.js from sw/sw.js with this build's asset list and a version
// derived from it (a new build, a new cache), and drops Vite's manifest (nothing serves it).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const assets = readdirSync(join(dist, "assets")).sort().map((name) => `./assets/${name}`);
const hash = createHash("sha256");
for (const a of assets) hash.update(a);
hash.update(readFileSync(join(dist, "index.html")));
const version = hash.digest("hex").slice(0, 12);
const source = readFileSync(join(root, "sw", "sw.js"), "utf8");
writeFileSync(join(dist, "sw.js"), source.replace("__VERSION__", version).replace("__PRECACHE__", JSON.stringify(assets)));
rmSync(join(dist, ".vite"), { recursive: true, force: true });
console.log(`dist/sw.js: ${assets.length} assets precached, version ${version}`);
