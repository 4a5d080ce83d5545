#!/bin/sh
# The "VS Code executable" handed to @vscode/test-electron's runTests({ vscodeExecutablePath }):
# runs code-server-wrapper.ts with this repository's tsx, whatever the caller's working folder.
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
root=$(CDPATH= cd -- "$here/../../.." && pwd)
exec node --import "$root/node_modules/tsx/dist/loader.mjs" "$here/code-server-wrapper.ts" "$@"
