#!/usr/bin/env bash
# Debian packages the editor tests need (run as root; once per machine):
# Neovim and Emacs + eglot for nvim-plugin.sh and emacs-eglot.sh; Chromium and
# libkrb5-dev for vscode-e2e.sh (which installs its npm tools itself).
set -euo pipefail
pkgs=(neovim emacs-nox elpa-eglot elpa-markdown-mode)
[[ "${1:-}" == "--vscode" ]] && pkgs+=(chromium libkrb5-dev fonts-dejavu-core)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
((${#missing[@]})) || exit 0
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
