#!/usr/bin/env python3
"""The pod template of packaging/image/daemonset.yaml as a Pod for `podman kube play`, with the
changes a test makes (its own files for the host's, its own port), printed on stdout.

    pod_from_daemonset.py DAEMONSET NAME [--path HOST=TEMP]... [--drop-volume VOLUME]...
                          [--listen ADDRESS] [--groups GID,...] [--drop-key KEY]...

--drop-volume removes a volume and its mount (the documented edit for hosts without utmp);
--drop-key removes the one block KEY: of the pod (e.g. ports: podman 4.3 makes it port mappings,
which it refuses on the host's network; resources: limits need cgroup controllers a test's
container may not have). Line-based, for that one file's layout (two-space YAML, list
items as "- name: X"): no YAML library is needed where the tests run. Exits 1 with one line on
stderr when the file does not have the expected shape or a change does not apply.
"""
import re
import sys


def die(message):
    print(f"pod_from_daemonset: {message}", file=sys.stderr)
    sys.exit(1)


def indent(line):
    return len(line) - len(line.lstrip(" "))


def drop_block(lines, start):
    """Lines without the block that starts at `start` (that line and every deeper one after it),
    and the comment lines right above it."""
    base = indent(lines[start])
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or indent(lines[end]) > base
                                or (lines[end].lstrip().startswith("#") and indent(lines[end]) > base)):
        end += 1
    begin = start
    while begin > 0 and lines[begin - 1].lstrip().startswith("#") and indent(lines[begin - 1]) == base:
        begin -= 1
    return lines[:begin] + lines[end:]


def main(argv):
    if len(argv) < 2:
        die(__doc__.strip().splitlines()[2].strip())
    path, name, rest = argv[0], argv[1], argv[2:]
    text = open(path, encoding="utf-8").read().splitlines()
    try:
        start = text.index("  template:") + 1
    except ValueError:
        die(f"{path}: no '  template:' line")
    lines = [line[4:] if line.startswith("    ") else line.lstrip(" ") for line in text[start:]]
    if "metadata:" not in lines:
        die(f"{path}: the template has no metadata")
    at = lines.index("metadata:")
    lines.insert(at + 1, f"  name: {name}")

    i = 0
    while i < len(rest):
        option, value = rest[i], rest[i + 1] if i + 1 < len(rest) else None
        i += 2
        if option == "--path" and value and "=" in value:
            host, temp = value.split("=", 1)
            hits = [n for n, line in enumerate(lines) if line.strip() == f"path: {host}"]
            if not hits:
                die(f"no hostPath {host}")
            for n in hits:
                lines[n] = lines[n].replace(f"path: {host}", f"path: {temp}")
        elif option == "--drop-volume" and value:
            found = 0
            while True:
                hits = [n for n, line in enumerate(lines) if line.strip() == f"- name: {value}"]
                if not hits:
                    break
                lines = drop_block(lines, hits[0])
                found += 1
            if found != 2:
                die(f"volume {value}: {found} blocks (wanted its mount and its volume)")
        elif option == "--listen" and value:
            hits = [n for n, line in enumerate(lines) if re.search(r"--web\.listen-address=\S+$", line)]
            if len(hits) != 1:
                die("no single --web.listen-address argument")
            lines[hits[0]] = re.sub(r"--web\.listen-address=\S+$", f"--web.listen-address={value}", lines[hits[0]])
        elif option == "--groups" and value:
            hits = [n for n, line in enumerate(lines) if line.strip().startswith("supplementalGroups:")]
            if len(hits) != 1:
                die("no single supplementalGroups")
            lines[hits[0]] = re.sub(r"supplementalGroups: .*", f"supplementalGroups: [{value}]", lines[hits[0]])
        elif option == "--drop-key" and value:
            hits = [n for n, line in enumerate(lines) if line.strip() == f"{value}:"]
            if len(hits) != 1:
                die(f"no single {value}: block")
            lines = drop_block(lines, hits[0])
        else:
            die(f"bad option {option} {value or ''}")
    print("apiVersion: v1\nkind: Pod")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
