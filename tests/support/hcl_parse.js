// Parse a Terraform file with HashiCorp's HCL parser (compiled to JavaScript)
// and print it as JSON; exit 1 with the parser's error when it is not HCL2.
const fs = require("fs");
const path = require("path");
const hcl = require(path.join(__dirname, "..", ".node", "node_modules", "hcl2-parser"));
const [value, err] = hcl.parseToObject(fs.readFileSync(process.argv[2], "utf8"));
if (err) {
	console.error(String(err));
	process.exit(1);
}
console.log(JSON.stringify(value));
