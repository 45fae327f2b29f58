#!/usr/bin/env python3
"""Builds a large benchmark corpus from the Reuters-21578 stories.

Copy k of every story has each run of digits multiplied by FACTORS[k], so that
the copies differ in their figures (and so in their analyses) deterministically.
The first ten factors give up to ~190,000 stories (the corpus of bench-scale.sh, kept
byte for byte); past them the factors go on with the next primes (37, 41, 43, ...), as
many as COUNT needs (1,000,000 stories: 53 copies of the 19,043 stories).
Usage: make_corpus.py REUTERS_DIR SEEDS_DIR OUT_DIR COUNT
"""
import os
import re
import sys

FACTORS = [1, 3, 7, 11, 13, 17, 19, 23, 29, 31]
DIGITS = re.compile(r"\d+")


def factors():
    """FACTORS, then every prime after the last of them."""
    yield from FACTORS
    n = FACTORS[-1]
    while True:
        n += 2
        if all(n % d for d in range(3, int(n**0.5) + 1, 2)):
            yield n


def main():
    reuters, seeds, out, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    stories = sorted(f for f in os.listdir(reuters) if f.endswith(".txt"))
    texts = []
    for name in stories:
        with open(os.path.join(reuters, name), encoding="utf-8", errors="replace") as fh:
            texts.append((name, fh.read()))
    seed_files = sorted(os.listdir(seeds)) if os.path.isdir(seeds) else []
    os.makedirs(out, exist_ok=True)
    seed_out = os.path.join(out, "seeds")
    os.makedirs(seed_out, exist_ok=True)
    for name in seed_files:
        with open(os.path.join(seeds, name), "rb") as src, open(os.path.join(seed_out, name), "wb") as dst:
            dst.write(src.read())
    need = count - len(seed_files)
    written = 0
    total_bytes = 0
    for k, factor in enumerate(factors()):
        if written >= need or not texts:
            break
        folder = os.path.join(out, f"copy-{k:02d}")
        os.makedirs(folder, exist_ok=True)
        for name, text in texts:
            if written >= need:
                break
            body = text if factor == 1 else DIGITS.sub(lambda m: str(int(m.group()) * factor), text)
            with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
                fh.write(body)
            total_bytes += len(body.encode("utf-8"))
            written += 1
    print(f"{written + len(seed_files)} stories, {total_bytes / 1e6:.1f} MB in {out}")


if __name__ == "__main__":
    main()
