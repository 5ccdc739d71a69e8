#!/usr/bin/env bash
# Regenerates the parser from grammar.js and records what it was generated
# from, so that a test fails when grammar.js and src/parser.c drift apart.
# Needs the tree-sitter CLI: cargo install tree-sitter-cli --locked
set -euo pipefail
cd "$(dirname "$0")"
tree-sitter generate
{
  echo "# sha256 of the inputs and output of the last \`tree-sitter generate\` ($(tree-sitter --version))"
  sha256sum grammar.js src/parser.c
} > src/GENERATED_FROM
echo "generated src/parser.c and recorded src/GENERATED_FROM"
