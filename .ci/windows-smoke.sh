#!/usr/bin/env bash
# Windows smoke test: runs the cross-built release dolbom.exe under Wine through what a
# welfare-centre PC does (demo data, Hangul search, a CP949/CRLF Excel import from a folder named
# in Hangul with spaces, a sync round trip between two databases, audit verification, the
# %APPDATA% data folder) and compares its output with the Linux binary's on the same seed and
# clock. Any difference or failure exits non-zero.
#
# Needs: wine (Debian `wine` and `wine64`), mingw-w64 (`gcc-mingw-w64-x86-64`), the rust target
# x86_64-pc-windows-gnu. `.ci/run` installs them.
#   WIN_EXE   the Windows binary (default: builds target/x86_64-pc-windows-gnu/release/dolbom.exe)
#   LINUX_BIN the Linux binary to compare with (default: builds target/debug/dolbom)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

step() { printf '\n== windows-smoke: %s (%ss)\n' "$*" "$((SECONDS - started))"; }
fail() {
  printf 'windows-smoke: FAILED: %s\n' "$*" >&2
  exit 1
}

if [[ -z "${WIN_EXE:-}" ]]; then
  step "cargo build --release --target x86_64-pc-windows-gnu"
  cargo build --release --locked --target x86_64-pc-windows-gnu --bin dolbom
  WIN_EXE=target/x86_64-pc-windows-gnu/release/dolbom.exe
fi
if [[ -z "${LINUX_BIN:-}" ]]; then
  step "cargo build (Linux binary to compare with)"
  cargo build --locked --bin dolbom
  LINUX_BIN=target/debug/dolbom
fi
LINUX_BIN=$(realpath "$LINUX_BIN")

# Wine needs a UTF-8 locale to map Hangul file names between Unix and Windows.
export LC_ALL=C.UTF-8 LANG=C.UTF-8
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
unset DISPLAY DOLBOM_DB DOLBOM_USER
WINE=$(command -v wine || true)
[[ -n "$WINE" ]] || fail "wine is not installed (apt-get install wine wine64)"

# A fresh prefix and a work folder like a Korean user's desktop: Hangul and spaces.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/dolbom-wine.XXXXXX")
trap 'wineserver -k >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
export WINEPREFIX="$scratch/prefix"
work="$scratch/김민수/바탕 화면/돌봄 점검"
bin="$scratch/프로그램 폴더"
mkdir -p "$work" "$bin"
cp "$WIN_EXE" "$bin/dolbom.exe"

# Wine 8 has no bcryptprimitives.dll, whose ProcessPrng Rust's std asks for random bytes; a
# stub next to the exe forwards to RtlGenRandom. Windows itself never loads this file.
step "build the bcryptprimitives.dll stub"
x86_64-w64-mingw32-gcc -O2 -shared -s -o "$bin/bcryptprimitives.dll" \
  .ci/wine/bcryptprimitives.c .ci/wine/bcryptprimitives.def -ladvapi32

step "wineboot (fresh prefix)"
"$WINE" wineboot --init >/dev/null 2>&1 || true
wineserver -w 2>/dev/null || true

winpath() { "$WINE" winepath -w "$1" 2>/dev/null | tr -d '\r'; }
W() { "$WINE" "$bin/dolbom.exe" "$@"; }
L() { "$LINUX_BIN" "$@"; }
wdir=$(winpath "$work")
[[ "$wdir" == *'바탕 화면'* ]] || fail "winepath lost the Hangul folder name: $wdir"
export DOLBOM_NOW=2025-03-14T09:30:00 DOLBOM_USER=박지현

step "dolbom.exe --version"
W --version | tee "$scratch/version.txt"
grep -q dolbom "$scratch/version.txt" || fail "--version printed no name"

step "demo --residents 2000 --no-tui (Windows and Linux, same seed and clock)"
W --db "$wdir\\센터 A.db" --site-name "관악 센터" demo --residents 2000 --seed 7 --no-tui
[[ -f "$work/센터 A.db" ]] || fail "the database was not created at the Hangul path"
L --db "$scratch/linux.db" --site-name "관악 센터" demo --residents 2000 --seed 7 --no-tui >/dev/null

step "search with Hangul queries: same JSON as Linux"
for q in 민수 ㄱㅁㅅ 김미 이영; do
  W --db "$wdir\\센터 A.db" search "$q" --json --limit 50 >"$scratch/win-$q.json"
  L --db "$scratch/linux.db" search "$q" --json --limit 50 >"$scratch/linux-$q.json"
  [[ -s "$scratch/win-$q.json" ]] || fail "search $q printed nothing"
  cmp -s "$scratch/win-$q.json" "$scratch/linux-$q.json" || {
    diff "$scratch/win-$q.json" "$scratch/linux-$q.json" | head -20
    fail "search $q: Windows and Linux disagree"
  }
done
grep -q '"name"' "$scratch/win-민수.json" || fail "search 민수 found nobody"
if grep -q $'\r' "$scratch/win-민수.json"; then fail "search --json wrote CR bytes"; fi

step "resources import: Excel CP949 CSV with CRLF from a Hangul path with spaces"
cp tests/fixtures/import/resources_sample_cp949.csv "$work/자원 목록 (3월).csv"
W --db "$wdir\\센터 A.db" resources import "$wdir\\자원 목록 (3월).csv" --json >"$scratch/import.json"
L --db "$scratch/linux.db" resources import tests/fixtures/import/resources_sample_cp949.csv \
  --source "자원 목록 (3월)" --json >"$scratch/import-linux.json"
grep -q '"inserted": 7' "$scratch/import.json" || { cat "$scratch/import.json"; fail "import did not insert 7"; }
grep -q '"rejected": 0' "$scratch/import.json" || fail "import rejected rows"
grep -iq 'cp949\|euc-kr\|windows-949' "$scratch/import.json" || fail "encoding not detected as CP949"
W --db "$wdir\\센터 A.db" resources export "$wdir\\내보낸 자원.csv"
L --db "$scratch/linux.db" resources export "$scratch/linux-resources.csv"
# Same directory apart from the generated ids and the import date.
strip_ids() { sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}//g' "$1"; }
cmp -s <(strip_ids "$work/내보낸 자원.csv") <(strip_ids "$scratch/linux-resources.csv") || {
  diff <(strip_ids "$work/내보낸 자원.csv") <(strip_ids "$scratch/linux-resources.csv") | head -20
  fail "the exported directory differs from Linux"
}

step "sync export / import round trip between two databases"
# Site B is a real database, so it is encrypted (the default): its first admin's passphrase
# comes from a key file saved by Notepad (CRLF ending).
printf '신림 복지관 열쇠 2025\r\n' >"$work/B 열쇠.txt"
printf '관악 동 암호 2025\r\n' >"$work/암호 파일.txt"
mkdir -p "$work/USB 묶음"
W --db "$wdir\\센터 A.db" sync export --full --passphrase-file "$wdir\\암호 파일.txt" \
  --out "$wdir\\USB 묶음\\첫 묶음.dolbom" --json >"$scratch/export.json"
[[ -s "$work/USB 묶음/첫 묶음.dolbom" ]] || fail "no bundle written"
if ls -A "$work/USB 묶음" | grep -q tmp; then fail "a temp file was left beside the bundle"; fi
W --db "$wdir\\센터 B.db" --key-file "$wdir\\B 열쇠.txt" --site-name "신림 복지관" sync import "$wdir\\USB 묶음\\첫 묶음.dolbom" \
  --passphrase-file "$wdir\\암호 파일.txt" --trust --json >"$scratch/sync-import.json"
grep -q '"applied": [1-9]' "$scratch/sync-import.json" || { cat "$scratch/sync-import.json"; fail "sync import applied nothing"; }
W --db "$wdir\\센터 B.db" --key-file "$wdir\\B 열쇠.txt" sync import "$wdir\\USB 묶음\\첫 묶음.dolbom" \
  --passphrase-file "$wdir\\암호 파일.txt" --json >"$scratch/sync-again.json"
grep -q '"applied": 0' "$scratch/sync-again.json" || fail "a second import of the same bundle changed something"
W --db "$wdir\\센터 B.db" --key-file "$wdir\\B 열쇠.txt" search 민수 --json --limit 50 >"$scratch/b-민수.json"
cmp -s "$scratch/b-민수.json" "$scratch/win-민수.json" || fail "site B finds other residents than site A"
W --db "$wdir\\센터 B.db" --key-file "$wdir\\B 열쇠.txt" resources list --json >"$scratch/b-resources.json"
grep -q '"name"' "$scratch/b-resources.json" || fail "site B has no resources"

step "audit verify on both databases (B encrypted: no name in its bytes)"
W --db "$wdir\\센터 A.db" audit verify
W --db "$wdir\\센터 B.db" --key-file "$wdir\\B 열쇠.txt" audit verify
W --db "$wdir\\센터 B.db" --key-file "$wdir\\B 열쇠.txt" db status
name=$(grep -o '"name": *"[^"]*"' "$scratch/b-민수.json" | head -1 | sed -E 's/.*"([^"]*)"$/\1/')
[[ -n "$name" ]] || fail "no name to look for"
if grep -q "$name" "$work/센터 B.db"; then fail "site B's file holds a name in the clear"; fi

step "a database opened by two dolbom processes at once"
# Writer and reader overlap: a second demo generation writes while searches read. SQLite's
# Windows locks (LockFileEx) plus WAL and the busy timeout must let both finish.
W --db "$wdir\\센터 C.db" demo --residents 3000 --seed 9 --no-tui >/dev/null &
writer=$!
sleep 2
for _ in 1 2 3; do
  W --db "$wdir\\센터 C.db" search 김 --json --limit 5 >/dev/null 2>"$scratch/reader.err" ||
    grep -q 'busy\|잠시 후' "$scratch/reader.err" ||
    { cat "$scratch/reader.err"; fail "a reader failed while another dolbom wrote"; }
done
wait "$writer" || fail "the writer failed while another dolbom read"
W --db "$wdir\\센터 C.db" audit verify >/dev/null

step "the default data folder is %APPDATA%\\dolbom"
W demo --residents 200 --no-tui >/dev/null
appdata_db=$(find "$WINEPREFIX/drive_c/users" -path '*AppData/Roaming/dolbom/dolbom/data/demo.db' | head -1)
[[ -n "$appdata_db" ]] || fail "demo.db is not under %APPDATA%\\dolbom\\dolbom\\data"
echo "demo.db: ${appdata_db#"$WINEPREFIX/"}"

printf '\nwindows-smoke: all steps passed in %ss\n' "$((SECONDS - started))"
