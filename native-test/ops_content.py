"""Reads the dashboard and the rules for 70-ops-content. Subcommands print one problem a line
and exit 1 when there is any."""
import json, re, sys

import yaml

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
            "and", "or", "unless", "atan2", "inf", "nan"}
GRAFANA_BUILTINS = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s",
                    "__range_ms", "__from", "__to", "__dashboard", "__org", "__user", "__name"}
# What the dashboard's variables are replaced with when its queries run against the test's
# Prometheus (scrape every 1 s, the exporter as job "ssh-exporter").
VARIABLE_VALUES = {"job": "ssh-exporter", "__rate_interval": "5s", "__interval": "5s",
                   "__range": "1m", "duration_window": "1h"}


def metric_names(expr):
    """The metric names an expression selects: identifiers that are not function or aggregation
    names, keywords, label names (in {..}, by/without/on/ignoring/group_x lists) or parts of
    numbers and durations. Raises ValueError for what cannot be told statically."""
    names = set()
    e = re.sub(r"\$\{[^}]*\}|\[\[[^\]]*\]\]|\$\w+", " ", expr)          # Grafana variables
    for m in re.finditer(r"__name__\s*(=~|!=|!~|=)\s*\"([^\"]*)\"", e):
        if m.group(1) != "=":
            raise ValueError(f"__name__ matched with {m.group(1)}: say the metric names")
        names.add(m.group(2))
    e = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`', '""', e)  # string literals
    e = re.sub(r"#[^\n]*", " ", e)                                        # comments
    e = re.sub(r"\{[^}]*\}", " ", e)                                      # label matchers
    e = re.sub(r"\[[^\]]*\]", " ", e)                                     # ranges, subqueries
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    for m in re.finditer(r"(?<![\w.])[a-zA-Z_:][\w:]*", e):
        word = m.group(0)
        if word.lower() in KEYWORDS:
            continue
        if re.match(r"\s*\(", e[m.end():]):                                # a function call
            continue
        names.add(word)
    return names


def variable_query_expr(query):
    """The PromQL inside a Grafana Prometheus variable query, or None when it selects no metric."""
    if isinstance(query, dict):
        query = query.get("query", "")
    q = query.strip()
    m = re.fullmatch(r"label_values\((.*),\s*(\w+)\s*\)", q, re.S)
    if m:
        return m.group(1), m.group(2)
    if re.fullmatch(r"label_values\(\s*\w+\s*\)|label_names\(.*\)|metrics\(.*\)", q, re.S):
        return None
    m = re.fullmatch(r"query_result\((.*)\)", q, re.S)
    if m:
        return m.group(1), None
    raise ValueError(f"unknown variable query form: {q}")


def all_panels(dash):
    for p in dash.get("panels", []):
        yield p
        for q in p.get("panels", []) or []:
            yield q


def dashboard_exprs(dash):
    """(where, expr, label) for every query of the dashboard: panel targets and variables."""
    out = []
    for p in all_panels(dash):
        for t in p.get("targets", []) or []:
            out.append((f"panel {p.get('title')!r} {t.get('refId')}", t.get("expr", ""), None))
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            r = variable_query_expr(v.get("query") or v.get("definition", ""))
            if r:
                out.append((f"variable {v['name']}", r[0], r[1]))
    return out


def rule_exprs(rules):
    out = []
    for g in rules.get("groups", []):
        for r in g.get("rules", []):
            out.append((f"rule {r.get('alert') or r.get('record')}", r["expr"], None))
    return out


def served(page):
    samples, families = set(), {}
    for line in open(page):
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()[:4]
            families[name] = kind
        elif line.strip() and not line.startswith("#"):
            samples.add(re.match(r"[a-zA-Z_:][\w:]*", line).group(0))
    return samples, families


def cmd_selftest():
    cases = {
        'sum by (remote_ip) (ssh_num_sessions{job=~"$job"})': {"ssh_num_sessions"},
        'histogram_quantile(0.9, sum by (le) (rate(h_bucket{a="b"}[$__rate_interval])))': {"h_bucket"},
        "time() - ts_seconds > 300": {"ts_seconds"},
        "(a unless on (job, remote_ip) max_over_time(b[7d] offset 1h))\n and on (job) present_over_time(up[1d] offset 7d)": {"a", "b", "up"},
        "count(x == 0) or vector(0)": {"x"},
        "rate(foo_total[5m]) > bool 1e3": {"foo_total"},
        'label_replace(up, "dst", "$1", "instance", "(.*):{x}[y]")': {"up"},
        'max by (j, e) (label_replace(q == 1, "e", "$1", "source", "(.*)"))': {"q"},
        '{__name__="bar", job="j"}': {"bar"},
        "sum without (le) (baz) / ignoring (x) group_left (y) qux": {"baz", "qux"},
        "sum(a1) by (le) * on(i) group_left b1": {"a1", "b1"},
        'topk(10, max by (instance, remote_ip) (max_over_time(n{i=~"$instance"}[$__range])))': {"n"},
        "max_over_time(rate(y[1m])[1h:5m]) offset -5m": {"y"},
        "a2 > Inf or b2 < -NaN # a comment naming c2": {"a2", "b2"},
        "0x1f + 1h30m_not + sum by(le)(z)": {"z"},
        "min(time() - start_seconds @ end())": {"start_seconds"},
    }
    bad = 0
    for expr, want in cases.items():
        got = metric_names(expr)
        if got != want:
            print(f"{expr!r}: got {sorted(got)}, want {sorted(want)}"); bad = 1
    try:
        metric_names('{__name__=~"ssh_.*"}'); print("__name__=~ not refused"); bad = 1
    except ValueError:
        pass
    if variable_query_expr('label_values(m{job=~"$job"}, instance)') != ('m{job=~"$job"}', "instance"):
        print("label_values(m, instance) not understood"); bad = 1
    return bad


def cmd_json(path):
    """Strict JSON: parses, and no object repeats a key (json.load would keep the last silently)."""
    def pairs(items):
        keys = [k for k, _ in items]
        for k in sorted({k for k in keys if keys.count(k) > 1}):
            raise ValueError(f"key {k!r} repeated in one object")
        return dict(items)
    try:
        json.load(open(path), object_pairs_hook=pairs)
    except ValueError as e:
        print(f"{path}: {e}"); return 1
    return 0


def cmd_dashboard(path):
    """Grafana import-ability: structure, ids, layout, data source, variables."""
    dash = json.load(open(path))
    bad = []
    for key, kind in (("title", str), ("uid", str), ("schemaVersion", int), ("panels", list),
                      ("templating", dict), ("time", dict)):
        if not isinstance(dash.get(key), kind):
            bad.append(f"top-level {key!r} missing or not a {kind.__name__}")
    if dash.get("id") is not None:
        bad.append("id must be null (Grafana assigns it on import)")
    if not 36 <= dash.get("schemaVersion", 0) <= 39:
        bad.append(f"schemaVersion {dash.get('schemaVersion')} is not one of Grafana 9/10 (36-39)")
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource", {})
    if ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        bad.append("no datasource variable of type prometheus named 'datasource'")
    inst = variables.get("instance", {})
    q = inst.get("query") if isinstance(inst.get("query"), str) else (inst.get("query") or {}).get("query", "")
    if inst.get("type") != "query" or not re.fullmatch(r"label_values\(ssh_exporter_build_info(\{[^}]*\})?,\s*instance\)", q or ""):
        bad.append(f"instance variable is not label_values(ssh_exporter_build_info..., instance): {q!r}")
    want_ds = {"type": "prometheus", "uid": "${datasource}"}
    for name, v in variables.items():
        if v.get("type") == "query" and v.get("datasource") != want_ds:
            bad.append(f"variable {name}: datasource is {v.get('datasource')}, not {want_ds}")
    if "__inputs" in dash:
        bad.append("__inputs present: the dashboard uses the datasource variable instead")
    ids, boxes = set(), []
    for p in all_panels(dash):
        title = p.get("title")
        if not title:
            bad.append(f"panel {p.get('id')} has no title")
        if p.get("id") in ids or not isinstance(p.get("id"), int):
            bad.append(f"panel {title!r}: id {p.get('id')} missing or not unique")
        ids.add(p.get("id"))
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in "hwxy") or g["x"] < 0 or g["w"] < 1 or g["x"] + g["w"] > 24:
            bad.append(f"panel {title!r}: bad gridPos {g}")
        else:
            for other, og in boxes:
                if g["x"] < og["x"] + og["w"] and og["x"] < g["x"] + g["w"] and g["y"] < og["y"] + og["h"] and og["y"] < g["y"] + g["h"]:
                    bad.append(f"panel {title!r} overlaps panel {other!r}")
            boxes.append((title, g))
        if p.get("type") == "row":
            continue
        if not p.get("type"):
            bad.append(f"panel {title!r} has no type")
        if p.get("datasource") != want_ds:
            bad.append(f"panel {title!r}: datasource {p.get('datasource')}, not {want_ds}")
        targets = p.get("targets") or []
        if not targets:
            bad.append(f"panel {title!r} has no query")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs) or None in refs:
            bad.append(f"panel {title!r}: refIds {refs} missing or repeated")
        for t in targets:
            if not (t.get("expr") or "").strip():
                bad.append(f"panel {title!r} {t.get('refId')}: empty expr")
            if t.get("datasource", want_ds) != want_ds:
                bad.append(f"panel {title!r} {t.get('refId')}: datasource {t.get('datasource')}")
    for where, expr, _ in dashboard_exprs(dash):
        for ref in re.findall(r"\$\{(\w+)[^}]*\}|\$(\w+)|\[\[(\w+)\]\]", expr):
            name = next(r for r in ref if r)
            if name.isdigit():                # $1: a label_replace group, not a variable
                continue
            if name not in variables and name not in GRAFANA_BUILTINS:
                bad.append(f"{where}: ${name} is no variable of the dashboard")
    for b in bad:
        print(b)
    return 1 if bad else 0


def hint(name, samples, families):
    if families.get(name) in ("histogram", "summary"):
        return f" ({name} is a {families[name]}: its series are {name}_bucket/_sum/_count)"
    if name + "_total" in samples:
        return f" (a counter: its series is {name}_total)"
    base = re.sub(r"_(bucket|sum|count|total)$", "", name)
    if base != name and base in samples:
        return f" ({base} is a {families.get(base, 'metric')} and has no {name[len(base):]} series)"
    return ""


def cmd_names(page, dashboard, rules):
    samples, families = served(page)
    allowed = samples | {"up"}
    bad = 0
    sources = [(dashboard, dashboard_exprs(json.load(open(dashboard)))),
               (rules, rule_exprs(yaml.safe_load(open(rules))))]
    for path, exprs in sources:
        for where, expr, _ in exprs:
            try:
                used = metric_names(expr)
            except ValueError as e:
                print(f"{path}: {where}: {e}"); bad = 1; continue
            if not used:
                print(f"{path}: {where}: selects no metric at all: {expr!r}"); bad = 1
            for name in sorted(used - allowed):
                print(f"{path}: {where}: {name} is not served by the exporter{hint(name, samples, families)}")
                bad = 1
    return bad


def cmd_coverage(page, dashboard):
    """Every ssh_* family the exporter serves by default appears on the dashboard."""
    samples, families = served(page)
    used = set()
    for _, expr, _ in dashboard_exprs(json.load(open(dashboard))):
        used |= metric_names(expr)
    bad = 0
    for fam in sorted(f for f in families if f.startswith("ssh_")):
        series = {s for s in samples if s == fam or re.fullmatch(re.escape(fam) + r"_(bucket|sum|count|total)", s)}
        if not series & used:
            print(f"{fam} is served but no dashboard panel shows it"); bad = 1
    return bad


def cmd_rules(rules_path, tests_path):
    """Each alert: for, a severity, summary and description; a firing and a quiet test case."""
    rules = yaml.safe_load(open(rules_path))
    tests = yaml.safe_load(open(tests_path))
    bad = []
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    if not alerts:
        bad.append("no alerting rule")
    firing, quiet = set(), set()
    for t in tests.get("tests", []):
        for a in t.get("alert_rule_test", []) or []:
            (firing if a.get("exp_alerts") else quiet).add(a["alertname"])
    for r in alerts:
        name = r["alert"]
        if "for" not in r:
            bad.append(f"{name}: no for:")
        if (r.get("labels") or {}).get("severity") not in ("critical", "warning", "info"):
            bad.append(f"{name}: severity is not critical, warning or info")
        ann = r.get("annotations") or {}
        for key in ("summary", "description"):
            if not ann.get(key):
                bad.append(f"{name}: no {key} annotation")
        if "$labels" not in " ".join(ann.values()) and name != "SSHExporterAbsent":
            bad.append(f"{name}: annotations do not say which target ($labels)")
        if name not in firing:
            bad.append(f"{name}: no test case where it fires")
        if name not in quiet:
            bad.append(f"{name}: no test case where it stays quiet")
    names = {r["alert"] for r in alerts}
    for n in sorted((firing | quiet) - names):
        bad.append(f"test case for an alert that does not exist: {n}")
    for b in bad:
        print(b)
    return 1 if bad else 0


def check_result(answer, label):
    """A query API answer: None when it is a success with at least one series (carrying LABEL
    when given), else what is wrong."""
    try:
        r = json.loads(answer)
    except ValueError:
        return "no answer from the query API"
    if r.get("status") != "success":
        return f"status {r.get('status')}: {r.get('error')}"
    result = r["data"]["result"]
    if not result:
        return "no series"
    if label and not any(s["metric"].get(label) for s in result):
        return f"no series has a {label} label"
    return None


def query(prom_url, expr):
    import urllib.error, urllib.parse, urllib.request
    url = prom_url + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.read().decode()
    except urllib.error.HTTPError as e:       # 400 for a bad query: the body says why
        return e.read().decode()
    except OSError as e:
        return f"unreachable: {e}"


def cmd_run_queries(dashboard, instance, prom_url):
    """Every query of the dashboard, its variables filled in, against the test's Prometheus:
    one PASS/FAIL line each."""
    values = dict(VARIABLE_VALUES, instance=instance)
    for where, expr, label in dashboard_exprs(json.load(open(dashboard))):
        def sub(m):
            name = next(g for g in m.groups() if g)
            return values.get(name, m.group(0))
        filled = re.sub(r"\$\{(\w+)[^}]*\}|\$(\w+)|\[\[(\w+)\]\]", sub, expr)
        why = check_result(query(prom_url, filled), label)
        name = f"dashboard query returns series: {where}"
        print(f"PASS {name}" if why is None else f"FAIL {name}: {why}: {filled}")
    return 0


def cmd_check_result(label):
    """The query API answer on stdin: success, at least one series (with LABEL when given)."""
    why = check_result(sys.stdin.read(), label)
    if why:
        print(why)
    return 1 if why else 0


def cmd_rules_state():
    """/api/v1/rules on stdin: "COUNT HEALTH... | NAME: ERROR..."."""
    rules = [r for g in json.load(sys.stdin)["data"]["groups"] for r in g["rules"]]
    errors = " ".join(f"{r['name']}: {r['lastError']}" for r in rules if r.get("lastError"))
    print(len(rules), " ".join(sorted({r["health"] for r in rules})), "|", errors)
    return 0


def cmd_alerts():
    """/api/v1/alerts on stdin: "ALERTNAME=STATE ..." sorted."""
    alerts = json.load(sys.stdin)["data"]["alerts"]
    print(" ".join(sorted(f"{a['labels']['alertname']}={a['state']}" for a in alerts)))
    return 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    sys.exit({"selftest": cmd_selftest, "json": cmd_json, "dashboard": cmd_dashboard, "names": cmd_names,
              "coverage": cmd_coverage, "rules": cmd_rules, "run-queries": cmd_run_queries,
              "check-result": cmd_check_result, "rules-state": cmd_rules_state,
              "alerts": cmd_alerts}[cmd](*args))
