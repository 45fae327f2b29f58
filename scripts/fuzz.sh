#!/usr/bin/env bash
# Fuzzes copydesk: builds every cargo-fuzz target in fuzz/ and runs each for a bounded time.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; TARGET names run only those (fuzz/fuzz_targets/NAME.rs).
# The corpora grow in fuzz/corpus/<target>/ (not committed): a longer run starts from what
# the last one found. Seeds come from fuzz/seeds/ and from the repository's own examples.
# Exits non-zero when a target crashes, hangs (an input over FUZZ_TIMEOUT seconds) or runs
# out of memory, naming the input that did it (in fuzz/artifacts/<target>/).
#
# Stable Rust builds the targets with RUSTC_BOOTSTRAP=1 (cargo-fuzz asks for -Z flags).
# FUZZ_SANITIZER=address builds with AddressSanitizer (slower to build and to run; the
# default, none, still catches every panic, overflow and stack overflow of safe Rust).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${1:-60}
shift || true
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2; }
cargo_fuzz_version=0.13.2
sanitizer=${FUZZ_SANITIZER:-none}
timeout=${FUZZ_TIMEOUT:-25}

all_targets=(markdown_masking line_index number_parsing quantities quotes_speakers html_text
    config_toml lsp_settings lsp_frames rope_edits check_draft docx_text)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
    [ -f "fuzz/fuzz_targets/$t.rs" ] || { echo "no fuzz target $t (fuzz/fuzz_targets/)" >&2; exit 2; }
done

# Longest input each target is given: HTML and Markdown nest, and depth needs room.
max_len() {
    case $1 in
        markdown_masking | html_text | docx_text) echo 262144 ;;
        line_index | quantities | quotes_speakers | lsp_frames) echo 65536 ;;
        check_draft) echo 32768 ;;
        *) echo 8192 ;;
    esac
}
dict() {
    case $1 in
        lsp_frames) echo fuzz/dicts/lsp_frames.dict ;;
        html_text) echo fuzz/dicts/html.dict ;;
        docx_text) echo fuzz/dicts/docx.dict ;;
        markdown_masking | quantities | quotes_speakers | check_draft) echo fuzz/dicts/markdown.dict ;;
        config_toml) echo fuzz/dicts/toml.dict ;;
    esac
}

if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]; then
    echo "== installing cargo-fuzz $cargo_fuzz_version"
    cargo install cargo-fuzz --locked --version "$cargo_fuzz_version"
fi

echo "== building the fuzz targets (sanitizer: $sanitizer)"
start=$SECONDS
# -O: optimized; -a: with debug assertions (overflow checks) all the same.
(cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build -O -a --sanitizer "$sanitizer")
echo "built in $((SECONDS - start)) s"
bin_dir=fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release

# Seeds: the repository's own drafts, sources and settings, and fuzz/seeds/<target>/.
seed() {
    local t=$1 dir=fuzz/corpus/$1
    mkdir -p "$dir"
    [ -d "fuzz/seeds/$t" ] && cp -n fuzz/seeds/"$t"/* "$dir"/
    local prose=(examples/newsroom/draft.md examples/newsroom/sources/* eval/cases/src/*.md README.md)
    case $t in
        markdown_masking | line_index | quantities | quotes_speakers | rope_edits)
            for f in "${prose[@]}"; do cp -n "$f" "$dir/$(basename "$f")"; done
            ;;
        check_draft)
            cp -n examples/newsroom/draft.md eval/cases/src/*.md "$dir"/
            # A draft, then (after a NUL) the same draft edited: the memo's case.
            { cat examples/newsroom/draft.md; printf '\0'; sed 's/5,200/5,300/; 3d' examples/newsroom/draft.md; } \
                >"$dir/draft-edited"
            ;;
        html_text)
            # The example sources as pages, and nesting and misnesting that cost a tree
            # builder the square of their tags (html/tests.rs goes further).
            for f in examples/newsroom/sources/*; do
                sed 's/^$/<\/p><p>/' "$f" | { printf '<html><body><p>'; cat; printf '</p></body></html>'; } \
                    >"$dir/$(basename "$f").html"
            done
            for tag in b span blockquote; do
                [ -f "$dir/deep-$tag.html" ] && continue
                { for _ in $(seq 3000); do printf '<%s>' "$tag"; done; printf 'Deep 42 text.'; } >"$dir/deep-$tag.html"
            done
            [ -f "$dir/deep-div.html" ] || { for _ in $(seq 30000); do printf '<div>'; done; } >"$dir/deep-div.html"
            [ -f "$dir/stray-ends.html" ] || { for _ in $(seq 5000); do printf '<span>'; done; for _ in $(seq 5000); do printf '</x>'; done; } >"$dir/stray-ends.html"
            ;;
        config_toml)
            cp -n examples/newsroom/copydesk.toml "$dir/example.toml"
            # The documented example in the store's config module.
            sed -n '/^\/\/! ```toml/,/^\/\/! ```$/p' crates/copydesk-store/src/config.rs | sed '1d;$d; s/^\/\/! \{0,1\}//' \
                >"$dir/documented.toml"
            ;;
        lsp_frames)
            # Mode 0: frames, each two bytes (kind, header style), then texts; mode 1: garbage.
            printf '\0\12\0\0\3\1\0\2\4\3\5\0\6\1\7\2\10\3\11\0\0\1Content-Length: 3\1caf\xc3\xa9' >"$dir/every-kind"
            printf '\0\1\0\0\0\3Content-Length: 3' >"$dir/header-in-a-string"
            printf '\1\4Content-Length: 12\r\n\r\n{"a":' >"$dir/garbage-body"
            printf '\13\2X-Header: 1\r\nContent-Length: 5\r\n' >"$dir/garbage-header"
            ;;
        rope_edits) ;;
    esac
}

log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
failed=()
summary=()
for t in "${targets[@]}"; do
    seed "$t"
    mkdir -p "fuzz/artifacts/$t"
    args=(-max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=3072 -max_len="$(max_len "$t")"
        -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1)
    d=$(dict "$t")
    [ -n "$d" ] && args+=(-dict="$d")
    echo "== fuzzing $t for $seconds s"
    set +e
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_odr_violation=0} "$bin_dir/$t" "${args[@]}" "fuzz/corpus/$t" >"$log_dir/$t.log" 2>&1
    code=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log_dir/$t.log" | tail -1)
    summary+=("$(printf '%-18s %10s runs  exit %s' "$t" "${runs:-?}" "$code")")
    if [ "$code" != 0 ]; then
        tail -60 "$log_dir/$t.log"
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log_dir/$t.log" | tail -1)
        echo "!! $t failed (exit $code): input ${artifact:-not written}" >&2
        [ -n "$artifact" ] && echo "   reproduce: $bin_dir/$t $root/$artifact" >&2
        failed+=("$t")
    fi
done

echo "== fuzzing summary ($seconds s per target)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz targets that failed: ${failed[*]}" >&2
    exit 1
fi
echo "no crash, hang or leak of memory found"
