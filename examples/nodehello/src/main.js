// nodehello: a Node.js program whose packages kiln's npm generator fetches.
const ms = require("ms"); // a dependency of debug, hoisted into node_modules
const debug = require("debug")("nodehello");

debug("starting");
console.log("a day is " + ms(86400000, { long: true }) + ", or " + ms("1d") + " ms");
