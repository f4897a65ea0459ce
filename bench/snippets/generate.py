#!/usr/bin/env python3
"""Generates a galley site with 10,000 code blocks for benchmarking `galley test`.

    python3 bench/snippets/generate.py OUT_DIR [--blocks 10000] [--extract YAML_DIR]

The mix follows the bundled blog: mostly Kubernetes YAML (Deployments, Services, ConfigMaps,
CronJobs, Ingresses, HPAs, with about 2% carrying a typo), then console and bash, JSON, TOML,
Go and Python. 200 pages of 50 blocks. Deterministic (seeded), so every run measures the same
corpus. `--extract` also writes every Kubernetes document to its own file, grouped by kind,
for the check-jsonschema comparison (see run.sh).
"""

import argparse
import os
import random

KINDS = ["Deployment", "Service", "ConfigMap", "CronJob", "Ingress", "HorizontalPodAutoscaler"]


def deployment(r, name, typo):
    replicas = "replcas" if typo else "replicas"
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app: {name}
spec:
  {replicas}: {r.randint(1, 9)}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: {name}
          image: ghcr.io/example/{name}:1.{r.randint(0, 40)}.{r.randint(0, 9)}
          ports:
            - containerPort: {r.choice([80, 8080, 9090])}
          resources:
            requests:
              cpu: {r.randint(50, 900)}m
              memory: {r.choice([64, 128, 256, 512])}Mi
"""


def service(r, name, typo):
    port = "prot" if typo else "port"
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
  ports:
    - name: http
      {port}: 80
      targetPort: {r.choice([8080, '"http"'])}
"""


def configmap(r, name, typo):
    data = "dta" if typo else "data"
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
{data}:
  LOG_LEVEL: {r.choice(["debug", "info", "warn"])}
  MAX_CONNECTIONS: "{r.randint(10, 500)}"
"""


def cronjob(r, name, typo):
    schedule = "schedul" if typo else "schedule"
    return f"""apiVersion: batch/v1
kind: CronJob
metadata:
  name: {name}-backup
spec:
  {schedule}: "{r.randint(0, 59)} {r.randint(0, 23)} * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: backup
              image: postgres:17
              args: ["pg_dump", "-Fc", "{name}"]
"""


def ingress(r, name, typo):
    path_type = "pathtype" if typo else "pathType"
    return f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
spec:
  ingressClassName: nginx
  rules:
    - host: {name}.example.org
      http:
        paths:
          - path: /
            {path_type}: Prefix
            backend:
              service:
                name: {name}
                port:
                  number: 80
"""


def hpa(r, name, typo):
    max_replicas = "maxReplica" if typo else "maxReplicas"
    return f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {name}
  minReplicas: 2
  {max_replicas}: {r.randint(3, 30)}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {r.randint(50, 90)}
"""


MAKERS = dict(zip(KINDS, [deployment, service, configmap, cronjob, ingress, hpa]))


def other(r, name):
    choice = r.random()
    if choice < 0.35:
        return "console", f"$ kubectl -n {name} get pods -l app={name}\nNAME   READY   STATUS\n{name}-0   1/1   Running\n"
    if choice < 0.55:
        return "bash", f'set -euo pipefail\nfor i in $(seq 1 {r.randint(2, 9)}); do\n  curl -fsS -H "Authorization: Bearer <token>" "https://{name}.example.org/health" || exit 1\ndone\n'
    if choice < 0.75:
        return "json", f'{{\n  "name": "{name}",\n  "replicas": {r.randint(1, 9)},\n  "tags": ["a", "b"]\n}}\n'
    if choice < 0.87:
        return "toml", f'[service]\nname = "{name}"\nport = {r.randint(1024, 65535)}\n'
    if choice < 0.94:
        return "go", f'func {name.replace("-", "_")}(ctx context.Context) error {{\n\treturn nil\n}}\n'
    return "python", f'def {name.replace("-", "_")}(n):\n    return n * {r.randint(2, 9)}\n'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--blocks", type=int, default=10000)
    parser.add_argument("--extract")
    args = parser.parse_args()
    r = random.Random(4)
    content = os.path.join(args.out, "content", "blog")
    os.makedirs(content, exist_ok=True)
    with open(os.path.join(args.out, "site.toml"), "w") as f:
        f.write('title = "galley test benchmark"\nbase_url = "https://example.org/"\n')
    per_page = 50
    counts = {}
    for page in range(args.blocks // per_page):
        parts = [f'+++\ntitle = "Benchmark page {page}"\n+++\n\nGenerated for `galley test` benchmarks.\n\n']
        for block in range(per_page):
            name = f"svc{page}-{block}"
            if r.random() < 0.7:
                kind = r.choice(KINDS)
                typo = r.random() < 0.02
                code = MAKERS[kind](r, name, typo)
                lang = "yaml"
                if args.extract:
                    folder = os.path.join(args.extract, kind)
                    os.makedirs(folder, exist_ok=True)
                    with open(os.path.join(folder, f"{name}.yaml"), "w") as f:
                        f.write(code)
            else:
                lang, code = other(r, name)
            counts[lang] = counts.get(lang, 0) + 1
            parts.append(f"Block {block}:\n\n```{lang}\n{code}```\n\n")
        with open(os.path.join(content, f"page-{page:04}.md"), "w") as f:
            f.write("".join(parts))
    print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
