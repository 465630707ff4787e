# What the browser tests (tests/Ledger.Browser.Tests) need from the machine: Debian's chromium, which
# they drive at /usr/bin/chromium (Playwright's own browser download is not reachable from a closed
# network), and a CJK font, without which Chinese text renders as empty boxes.
# Sourced by ops/ledger after postgres.sh (apt_install); expects LEDGER_DATA_DIR and a `say` function.

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
  # shellcheck disable=SC2086 # one package name per word
  apt_install "the browser tests" $missing
  missing=$(browser_missing)
  [ -z "$missing" ] || { say "apt-get did not install $missing (log: $LEDGER_DATA_DIR/apt.log)"; exit 1; }
}
