# Sourced by the editor tests: where the sources and the draft come from, and the
# workspace every editor opens.
#
# find_shared: sets $shared to ../shared beside the repo (or $COPYDESK_SHARED); when
# that is absent, to a stand-in with the same layout, written here in our own words,
# whose draft has the same wrong figure (84,300 for 94,300) on line 3.
find_shared() {
  shared="${COPYDESK_SHARED:-$repo/../shared}"
  if [[ ! -f "$shared/eval/dev/cases/d01-buildup.md" ]]; then
    shared="$tmp/stand-in"
    mkdir -p "$shared/corpus/seeds" "$shared/eval/dev/cases"
    printf 'Minister counts Russian forces near the border\n\nDefence minister Oleksii Reznikov told parliament on Friday that Russia now keeps 94,300 troops near Ukraine and in annexed Crimea.\n\nHe said an escalation was most likely at the end of January.\n' \
      > "$shared/corpus/seeds/000_minister.txt"
    printf '# Minister warns of a winter escalation\n\nUkraine'"'"'s defence minister told lawmakers that 84,300 Russian troops were near Ukraine and in Crimea.\n\nHe expects the risk to peak at the end of January.\n' \
      > "$shared/eval/dev/cases/d01-buildup.md"
    echo "# ../shared not found; using a stand-in corpus and draft"
  fi
  shared="$(realpath "$shared")"
}

# make_workspace [EXTRA_TOML]: $ws with sources/ (the seeds), drafts/d01-buildup.md and a
# copydesk.toml pointing at sources/; sets $lsp_cmd (the mock server with COPYDESK_LSP_MOCK=1).
make_workspace() {
  ws="$tmp/ws"
  mkdir -p "$ws/drafts" "$ws/sources"
  cp "$shared"/corpus/seeds/*.txt "$ws/sources/"
  printf '[corpus]\npaths = ["sources"]\n%s' "${1:-}" > "$ws/copydesk.toml"
  cp "$shared/eval/dev/cases/d01-buildup.md" "$ws/drafts/"
  lsp_cmd="$bin"
  if [[ "${COPYDESK_LSP_MOCK:-0}" == 1 ]]; then
    lsp_cmd="$repo/tests/editors/mock-lsp/copydesk"
    export COPYDESK_REAL_BIN="$bin"
    echo "# using the mock language server"
  fi
}
