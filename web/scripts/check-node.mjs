// `make web` runs this first: Vite 7 needs Node.js >= 20.19; say so plainly instead of a stack trace.
const want = (process.argv[2] || "20.19").split(".").map(Number);
const have = process.versions.node.split(".").map(Number);
if (have[0] < want[0] || (have[0] === want[0] && have[1] < want[1])) {
  console.error(`The web portal needs Node.js >= ${want.join(".")} (Vite 7); this machine has ${process.version}.`);
  process.exit(1);
}
