#!/bin/sh
# Reads a Debian changelog on stdin and writes the same entries as an rpm %changelog:
#   * Thu Nov 26 2026 Name <email> - VERSION
#   - the first line of an item
#     its continuation lines
# newest first, as both formats keep them. Lines it does not know are left out.
exec awk '
/^[^ ]/ { match($0, /\([^)]*\)/); version = substr($0, RSTART + 1, RLENGTH - 2); n = 0; next }
/^  \* / { body[++n] = "- " substr($0, 5); next }
/^    [^ ]/ { if (n) body[n] = body[n] "\n  " substr($0, 5); next }
/^ -- / {
    line = substr($0, 5); split(line, parts, ">  ")
    who = parts[1] ">"; split(parts[2], d, /[ ,]+/)
    # d: Thu, 26, Nov, 2026, 06:43:18, +0000
    if (printed++) print ""
    printf "* %s %s %s %s %s - %s\n", d[1], d[3], d[2], d[4], who, version
    for (i = 1; i <= n; i++) print body[i]
    n = 0
}
'
