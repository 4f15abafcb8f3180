// The "asset build": writes dist/app.txt from package.json and the running Node.js, and appends
// a line to dist/builds.log each time it runs (so tests can count the builds).
const fs = require("fs");
const path = require("path");

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "package.json"), "utf8"));
const dist = path.join(__dirname, "dist");
fs.mkdirSync(dist, { recursive: true });
fs.writeFileSync(path.join(dist, "app.txt"), `${pkg.name} ${pkg.version} built with node ${process.version}\n`);
fs.appendFileSync(path.join(dist, "builds.log"), `${pkg.version}\n`);
