// Compiles Solidity sources with the pinned solc-js (package.json) through its standard
// JSON interface, with the EVM version fixed, and writes OUT_DIR/<Contract>.json holding
// {"contract", "source", "abi", "bytecode", "deployedBytecode", "evmVersion", "compiler"}.
//   node contracts/compile.mjs OUT_DIR SOURCE.sol...
// Exit status 1 with the compiler's messages when a source does not compile.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const solc = require('solc');

const EVM_VERSION = 'cancun';
const [outDir, ...sources] = process.argv.slice(2);
if (!outDir || sources.length === 0) {
  console.error('usage: node compile.mjs OUT_DIR SOURCE.sol...');
  process.exit(2);
}
const input = {
  language: 'Solidity',
  sources: {},
  settings: {
    evmVersion: EVM_VERSION,
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};
for (const s of sources) input.sources[path.basename(s)] = { content: fs.readFileSync(s, 'utf8') };
const output = JSON.parse(solc.compile(JSON.stringify(input)));
let failed = false;
for (const e of output.errors ?? []) {
  console.error(e.formattedMessage ?? e.message);
  if (e.severity === 'error') failed = true;
}
if (failed) process.exit(1);
fs.mkdirSync(outDir, { recursive: true });
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    const artifact = {
      contract: name,
      source: file,
      abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object,
      deployedBytecode: '0x' + c.evm.deployedBytecode.object,
      evmVersion: EVM_VERSION,
      compiler: solc.version(),
    };
    fs.writeFileSync(path.join(outDir, name + '.json'), JSON.stringify(artifact, null, 1) + '\n');
  }
}
