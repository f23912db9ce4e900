#!/usr/bin/env python3
"""Replaces the configuration table in README.md with what `bourse config` prints (run after adding a key)."""
import subprocess, sys
binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/bourse"
table = subprocess.run([binary, "config"], check=True, capture_output=True, text=True).stdout.strip()
readme = open("README.md").read()
start = readme.index("| key | environment | default | services | meaning |")
end = readme.index("\n\n", start)
open("README.md", "w").write(readme[:start] + table + readme[end:])
