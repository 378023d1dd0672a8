#!/usr/bin/env bash
# The commands of rclone's Jottacloud page (docs/content/jottacloud.md: "Once configured you
# can then use rclone like this", plus the about, cleanup and link features it describes), run
# with fjord against an emulator started for the run. Each command is echoed before it runs.
#
#   bash examples/rclone-docs.sh          # from the repository root
#   FJORD=fjord bash examples/rclone-docs.sh   # with an installed fjord
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
read -r -a fjord <<<"${FJORD:-node --import tsx --conditions=@fjord/source $root/packages/cli/src/bin.ts}"
work="$(mktemp -d)"
export FJORD_CONFIG_DIR="$work/config" NO_COLOR=1
emulator_pid=""
cleanup_run() {
  if [[ -n "$emulator_pid" ]]; then kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup_run EXIT

run() {
  echo "\$ fjord $*"
  "${fjord[@]}" "$@"
}

# The emulator prints one JSON line ({"url":…,"loginToken":…}) once it listens.
"${fjord[@]}" emulator --port 0 >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do
  [[ -s "$work/emulator.out" ]] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.err" >&2; exit 1; }
  sleep 0.1
done
[[ -s "$work/emulator.out" ]] || { echo "the emulator did not start" >&2; exit 1; }

mkdir -p "$work/source/photos"
printf 'report\n' >"$work/source/report.txt"
printf 'jpeg bytes\n' >"$work/source/photos/fjord.jpg"

run login --emulator
# "List directories in top level of your Jottacloud"
run lsd jotta:
# "To copy a local directory to an Jottacloud directory called backup"
run copy "$work/source" jotta:backup
# "List all the files in your Jottacloud"
run ls jotta:
# sync: make the folder match the source (deletes what the source no longer has)
rm "$work/source/report.txt"
printf 'new\n' >"$work/source/new.txt"
run sync "$work/source" jotta:backup
run ls jotta:backup
# "rclone about is supported"
run about
# "Deleted files will be moved to the trash. … rclone cleanup remote: … empties the trash"
run cleanup
# "Public links"
run link jotta:backup/new.txt
