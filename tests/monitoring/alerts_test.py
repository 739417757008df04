#!/usr/bin/env python3
"""The shipped monitoring files: the Prometheus rules (jwo-edge-alerts.yml) are well-formed, and
every metric they and the Grafana dashboard (jwo-edge-dashboard.json, if given) name is one the
daemon exports (its registered names in daemon/).

    tests/monitoring/alerts_test.py RULES_FILE DAEMON_SOURCE_DIR [DASHBOARD_JSON]
"""
import json
import pathlib
import re
import sys

import yaml

rules_file, source_dir = sys.argv[1], pathlib.Path(sys.argv[2])
doc = yaml.safe_load(open(rules_file))
exported = set()
for path in source_dir.rglob("*.cc"):
    exported.update(re.findall(r'"(jwo_[a-z_]+)"', path.read_text(errors="replace")))
problems = []
names = set()
for group in doc["groups"]:
    for rule in group["rules"]:
        name = rule.get("alert", "?")
        if name in names:
            problems.append(f"{name}: listed twice")
        names.add(name)
        for key in ("alert", "expr", "labels", "annotations"):
            if key not in rule:
                problems.append(f"{name}: no {key}")
        if rule.get("labels", {}).get("severity") not in ("page", "ticket"):
            problems.append(f"{name}: severity must be page or ticket")
        if not rule.get("annotations", {}).get("summary"):
            problems.append(f"{name}: no summary")
        for metric in re.findall(r"\bjwo_[a-z_]+", str(rule.get("expr", ""))):
            base = re.sub(r"_(bucket|sum|count)$", "", metric)
            if metric not in exported and base not in exported:
                problems.append(f"{name}: {metric} is not a metric the daemon exports")
if len(sys.argv) > 3:
    dashboard = json.load(open(sys.argv[3]))
    for panel in dashboard["panels"]:
        if not panel.get("targets"):
            problems.append(f"panel {panel.get('title')}: no queries")
        for target in panel.get("targets", []):
            for metric in re.findall(r"\bjwo_[a-z_]+", target.get("expr", "")):
                base = re.sub(r"_(bucket|sum|count)$", "", metric)
                if metric not in exported and base not in exported:
                    problems.append(f"panel {panel['title']}: {metric} is not exported")
for p in problems:
    print("FAIL:", p)
print(f"alerts: {len(names)} rules, {len(problems)} problems")
sys.exit(1 if problems else 0)
