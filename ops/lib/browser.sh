# What the browser tests (tests/Ledger.Browser.Tests) need from the machine: Debian's chromium, which
# they drive at /usr/bin/chromium (Playwright's own browser download is not reachable from a closed
# network), and a CJK font, without which Chinese text renders as empty boxes.
# Sourced by ops/ledger; expects LEDGER_DATA_DIR and a `say` function.

BROWSER_PATH=/usr/bin/chromium
# The smaller of Debian's CJK fonts (about 5 MB; fonts-noto-cjk is about 90 MB).
BROWSER_CJK_FONT=fonts-wqy-microhei

browser_missing() {
  local missing=()
  [ -x "$BROWSER_PATH" ] || missing+=(chromium)
  if ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh family)" ]; then missing+=("$BROWSER_CJK_FONT"); fi
  echo "${missing[*]}"
}

browser_install() {
  local missing; missing=$(browser_missing)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "the browser tests need $missing: run 'sudo apt-get update && sudo apt-get install -y $missing', then try again"
    exit 1
  fi
  say "installing $missing with apt-get…"
  export DEBIAN_FRONTEND=noninteractive
  local log="$LEDGER_DATA_DIR/apt.log"
  # Other checkouts on the machine may be installing at the same time: wait for dpkg's lock.
  # shellcheck disable=SC2086 # one package name per word
  if ! { apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    say "apt-get could not install $missing (log: $log)"
    exit 1
  fi
  missing=$(browser_missing)
  [ -z "$missing" ] || { say "apt-get did not install $missing (log: $log)"; exit 1; }
}
