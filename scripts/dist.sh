#!/usr/bin/env bash
# Builds the release archives people install, in $DIST_DIR (default $CARGO_TARGET_DIR/dist or target/dist):
#   dolbom-VERSION-x86_64-unknown-linux-gnu.tar.gz
#   dolbom-VERSION-x86_64-pc-windows-gnu.zip
#   SHA256SUMS
# Each holds the stripped release binary, README.md, keymaps/ and sample import files.
# Needs the rust target x86_64-pc-windows-gnu and mingw-w64 (`.ci/run` installs both), and zip.
# Usage: scripts/dist.sh [TARGET ...]   (default: both targets)
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
[[ -n "$version" ]] || { echo "dist: no version in Cargo.toml" >&2; exit 1; }
host=$(rustc -vV | sed -n 's/^host: //p')
targets=("$@")
((${#targets[@]})) || targets=(x86_64-unknown-linux-gnu x86_64-pc-windows-gnu)

tdir=${CARGO_TARGET_DIR:-target}
out=${DIST_DIR:-$tdir/dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)
for target in "${targets[@]}"; do
  case "$target" in
    *windows*) exe=dolbom.exe ;;
    *) exe=dolbom ;;
  esac
  # The host target builds into target/release (shared with `cargo build --release`).
  if [[ "$target" == "$host" ]]; then
    cargo build --release --locked --bin dolbom
    built=$tdir/release/$exe
  else
    rustup target add "$target" >/dev/null 2>&1 || true
    cargo build --release --locked --target "$target" --bin dolbom
    built=$tdir/$target/release/$exe
  fi

  name=dolbom-$version-$target
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage/$name/keymaps" "$stage/$name/samples"
  cp "$built" "$stage/$name/$exe"
  cp README.md "$stage/$name/"
  cp keymaps/*.toml "$stage/$name/keymaps/"
  cp tests/fixtures/import/resources_sample_cp949.csv \
    tests/fixtures/import/resources_sample_utf8bom.csv \
    tests/fixtures/import/residents_sample_utf8bom.csv "$stage/$name/samples/"
  # Fixed times and order, so the same build gives the same archive.
  find "$stage/$name" -exec touch -d "@${SOURCE_DATE_EPOCH:-0}" {} +

  case "$target" in
    *windows*)
      rm -f "$out/$name.zip"
      (cd "$stage" && find "$name" -type f | LC_ALL=C sort | zip -X -q -@ "$out/$name.zip")
      echo "dist: $out/$name.zip"
      ;;
    *)
      tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${SOURCE_DATE_EPOCH:-0}" \
        -C "$stage" -cf - "$name" | gzip -n -9 >"$out/$name.tar.gz"
      echo "dist: $out/$name.tar.gz"
      ;;
  esac
  ls -l "$built"
  rm -rf "$stage"
  trap - EXIT
done

cd "$out"
shopt -s nullglob
archives=(dolbom-"$version"-*.tar.gz dolbom-"$version"-*.zip)
((${#archives[@]})) || { echo "dist: nothing to checksum" >&2; exit 1; }
sha256sum -- "${archives[@]}" >SHA256SUMS
cat SHA256SUMS
