#!/usr/bin/env bash
# Tries the editor setups of editors/README.md in the editors installed here, headless.
#
# Each trial starts an editor with an init file whose configuration block is the README's,
# copied verbatim (checked first: a trial of a config the README no longer gives proves
# nothing), opens a fresh copy of workspace/ (lib.qnt, and main.qnt that imports it and has a
# type error), and writes what the editor received as text. That text is compared with
# expected/<trial>.txt; any difference, a timeout or a driver error fails the trial.
#
#   editors/trials/run.sh
#
# Environment:
#   SPEC       the `spec` binary to try (default: the newer of target/release/spec and
#              target/debug/spec); it is put on PATH as `spec`, as the README asks.
#   NVIM_BINS  Neovim binaries to try, space-separated (default: `nvim`). A 0.7 to 0.10
#              binary runs the "Neovim 0.7 to 0.10" trial, 0.11 or later the "0.11 and
#              later" one.
#   EMACS      the Emacs to try (default: `emacs`); it runs when eglot can be loaded.
# Editors that are not installed are skipped and listed as such. Exit status 1 when any
# trial that ran failed.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
readme="$repo/editors/README.md"

spec="${SPEC:-}"
if [ -z "$spec" ]; then
  for candidate in "$repo/target/release/spec" "$repo/target/debug/spec"; do
    if [ -x "$candidate" ] && { [ -z "$spec" ] || [ "$candidate" -nt "$spec" ]; }; then
      spec="$candidate"
    fi
  done
fi
if [ -z "$spec" ] || [ ! -x "$spec" ]; then
  echo "no spec binary: build it (cargo build -p spec) or set SPEC" >&2
  exit 1
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/bin"
ln -s "$(cd "$(dirname "$spec")" && pwd)/$(basename "$spec")" "$scratch/bin/spec"
export PATH="$scratch/bin:$PATH"
export TRIAL_DIR="$here"

passed=0
failed=0
skipped=()

# The README block of an init file (between the README:begin and README:end lines) must
# appear verbatim in editors/README.md.
block_is_in_readme() {
  python3 - "$1" "$readme" <<'PY'
import sys
init, readme = (open(p).read().splitlines() for p in sys.argv[1:3])
start = next(i for i, l in enumerate(init) if "README:begin" in l)
end = next(i for i, l in enumerate(init) if "README:end" in l)
block = init[start + 1:end]
found = any(readme[i:i + len(block)] == block for i in range(len(readme)))
sys.exit(0 if found and block else 1)
PY
}

fresh_workspace() {
  local ws="$scratch/ws-$1"
  cp -r "$here/workspace" "$ws"
  touch "$ws/.spec-root"
  if command -v git >/dev/null; then
    git -C "$ws" init -q .
  fi
  echo "$ws"
}

# run_trial NAME INIT_FILE COMMAND...: COMMAND runs the editor with TRIAL_WS/TRIAL_OUT set.
run_trial() {
  local name="$1" init="$2"
  shift 2
  echo "== trial $name: $("$@" --version 2>/dev/null | head -n 1)"
  if ! block_is_in_readme "$here/$init"; then
    echo "FAIL $name: the configuration in $init is not the one in editors/README.md"
    failed=$((failed + 1))
    return
  fi
  local ws out status
  ws="$(fresh_workspace "$name")"
  out="$scratch/$name.txt"
  case "$name" in
    emacs*) (cd "$ws" && HOME="$scratch/home" TRIAL_WS="$ws" TRIAL_OUT="$out" timeout 180 \
               "$@" --batch -q --eval '(package-activate-all)' -l "$here/$init" \
               >"$scratch/$name.log" 2>&1) ;;
    *) (cd "$ws" && HOME="$scratch/home" XDG_STATE_HOME="$scratch/state" TRIAL_WS="$ws" \
          TRIAL_OUT="$out" timeout 180 "$@" --headless -i NONE -n -u "$here/$init" \
          >"$scratch/$name.log" 2>&1) ;;
  esac
  status=$?
  if [ ! -f "$out" ]; then
    echo "FAIL $name (editor exit status $status, no output); the editor's log:"
    sed 's/^/   /' "$scratch/$name.log"
    failed=$((failed + 1))
  elif diff -u "$here/expected/$name.txt" "$out" && [ "$status" -eq 0 ]; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name (editor exit status $status)"
    failed=$((failed + 1))
  fi
}

for nvim in ${NVIM_BINS:-nvim}; do
  if ! command -v "$nvim" >/dev/null; then
    skipped+=("Neovim ($nvim not found)")
    continue
  fi
  minor="$("$nvim" --version | head -n 1 | sed -n 's/^NVIM v0\.\([0-9]*\)\..*/\1/p')"
  if [ -z "$minor" ] || [ "$minor" -lt 7 ]; then
    skipped+=("Neovim $nvim: not 0.7 or later")
  elif [ "$minor" -lt 11 ]; then
    run_trial nvim07 nvim07-init.lua "$nvim"
  else
    run_trial nvim011 nvim011-init.lua "$nvim"
  fi
done

emacs="${EMACS:-emacs}"
if ! command -v "$emacs" >/dev/null; then
  skipped+=("Emacs ($emacs not found)")
elif ! HOME="$scratch/home" "$emacs" --batch -q --eval '(package-activate-all)' \
       --eval '(require (quote eglot))' >/dev/null 2>&1; then
  skipped+=("Emacs: eglot cannot be loaded")
else
  run_trial emacs emacs-init.el "$emacs"
fi

for s in "${skipped[@]+"${skipped[@]}"}"; do
  echo "skipped: $s"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
