// Minifies the JS of a trunk build: wasm-bindgen's glue, keeping index.html's integrity hash
// true (trunk's own JS minifier cannot parse the glue and leaves it as it is, its "Failed to
// minify JS" warning; esbuild can), and assets/embed.js, the host page's script (its readable
// source, with its usage, stays in assets/). Usage: node minify_js.cjs <esbuild package dir> <dist dir>
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const [esbuildDir, dist] = process.argv.slice(2);
const esbuild = require(path.resolve(esbuildDir));
const indexPath = path.join(dist, "index.html");
let index = fs.readFileSync(indexPath, "utf8");
const integrity = (bytes) => "sha384-" + crypto.createHash("sha384").update(bytes).digest("base64");

const glue = fs.readdirSync(dist).filter((name) => name.endsWith(".js") && index.includes(`/${name}`));
if (glue.length !== 1) {
  console.error(`expected one script named by index.html in ${dist}, found ${glue.length}`);
  process.exit(1);
}
const file = path.join(dist, glue[0]);
const source = fs.readFileSync(file);
const before = integrity(source);
if (!index.includes(before)) {
  console.error(`index.html does not carry ${glue[0]}'s integrity hash; was it already minified?`);
  process.exit(1);
}
const minified = esbuild.transformSync(source.toString("utf8"), { minify: true, format: "esm" }).code;
fs.writeFileSync(file, minified);
index = index.split(before).join(integrity(Buffer.from(minified)));
fs.writeFileSync(indexPath, index);
console.log(`${glue[0]}: ${source.length} -> ${Buffer.byteLength(minified)} bytes`);

const embed = path.join(dist, "assets", "embed.js");
const embedSource = fs.readFileSync(embed, "utf8");
const embedMinified = esbuild.transformSync(embedSource, { minify: true }).code;
fs.writeFileSync(embed, embedMinified);
console.log(`assets/embed.js: ${Buffer.byteLength(embedSource)} -> ${Buffer.byteLength(embedMinified)} bytes`);
