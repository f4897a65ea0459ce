#!/usr/bin/env python3
"""Deterministic benchmark corpus generator for galley (and the same posts for Hugo).

    python3 bench/corpus.py --posts 1000 --seed 42 --out /tmp/corpus [--hugo]

Writes OUT/galley (site.toml, templates/, content/) and, with --hugo, OUT/hugo
(hugo.toml, layouts/, content/). The same seed and post count always give
byte-identical trees: every random choice comes from random.Random instances
seeded from (seed, post index), nothing reads the clock, and files are written
in sorted order.

Each post: 300-2,500 words of platform-engineering prose built from word lists
and sentence templates, ## and ### headings, bullet and numbered lists, a table,
inline code, links to other posts of the corpus, 2-6 fenced code blocks (yaml
Kubernetes manifests, bash, go, json, toml, dockerfile, python) that are all
syntactically valid, a date over three years, 2-5 tags out of ~60 and a
description. About 10% of the posts are page bundles (index.md + cover.svg +
manifest.yaml).

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
from dataclasses import dataclass, field

GENERATOR_VERSION = "1"

# ---------------------------------------------------------------------------
# Configuration and templates of the two tools
# ---------------------------------------------------------------------------


def galley_site_toml() -> str:
    """galley's site.toml. Kept in one place: adjust here if galley's config format changes."""
    return """\
title = "Bench corpus"
description = "Generated corpus"
base_url = "https://bench.example.org/"
language = "en"
theme = ""            # no theme: the site's own templates/ only
paginate_by = 10
taxonomies = [{ name = "tags", feed = true, paginate_by = 10 }]

[highlighting]
light_theme = "InspiredGitHub"
dark_theme = "Monokai Extended"

[feeds]
rss = true
atom = false
limit = 20

# Not in Hugo's output, so off for a like-for-like comparison: the search index
# (search_index.json) and the `#` anchor link galley appends to every heading.
[search]
enabled = false

[markdown]
heading_anchors = false
"""


def galley_root_index() -> str:
    return '+++\ntitle = "Bench corpus"\ndescription = "Generated corpus"\n+++\n\nA generated corpus for benchmarks.\n'


def galley_blog_index() -> str:
    return (
        '+++\ntitle = "Blog"\ndescription = "All posts"\nsort_by = "date"\npaginate_by = 10\n+++\n\n'
        "Every post of the corpus, newest first.\n"
    )


# Tera 2 templates (see notes/template-api.md). Equivalent to the Hugo layouts below:
# base layout, page = title + date + reading time + tags + content, section and term
# lists paginated by 10 (title, date, description), tag list with counts, home = 10 newest
# posts with their summaries.
GALLEY_TEMPLATES = {
    "base.html": """\
<!doctype html>
<html lang="{{ config.language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ config.title }}{% endblock title %}</title>
<meta name="description" content="{% block description %}{{ config.description }}{% endblock description %}">
<link rel="canonical" href="{{ current_url }}">
{% for feed in feeds %}<link rel="alternate" type="{{ feed.mime }}" title="{{ feed.title }}" href="{{ feed.url }}">
{% endfor %}</head>
<body>
<header><a href="{{ config.base_url }}">{{ config.title }}</a>
<nav><a href="{{ config.base_url }}blog/">Blog</a> <a href="{{ config.base_url }}tags/">Tags</a></nav></header>
<main>
{% block main %}{% endblock main %}
</main>
<footer><p>{{ config.description }}</p></footer>
</body>
</html>
""",
    "index.html": """\
{% extends "base.html" %}
{% block main %}
<h1>{{ section.title }}</h1>
{{ section.content | safe }}
{% set blog = get_section(path="blog/_index.md") %}
{% for p in blog.pages[:10] %}
<article>
<h2><a href="{{ p.permalink }}">{{ p.title }}</a></h2>
<p><time datetime="{{ p.date }}">{{ p.date | date(format="%Y-%m-%d") }}</time></p>
{% if p.summary %}{{ p.summary | safe }}{% endif %}
</article>
{% endfor %}
{% endblock main %}
""",
    "section.html": """\
{% extends "base.html" %}
{% block title %}{{ section.title }} | {{ config.title }}{% endblock title %}
{% block main %}
<h1>{{ section.title }}</h1>
{% for p in paginator.pages %}
<article>
<h2><a href="{{ p.permalink }}">{{ p.title }}</a></h2>
<p><time datetime="{{ p.date }}">{{ p.date | date(format="%Y-%m-%d") }}</time></p>
<p>{{ p.description }}</p>
</article>
{% endfor %}
<nav class="pagination">
{% if paginator.previous %}<a href="{{ paginator.previous }}">Newer</a>{% endif %}
<span>Page {{ paginator.current_index }} of {{ paginator.number_pagers }}</span>
{% if paginator.next %}<a href="{{ paginator.next }}">Older</a>{% endif %}
</nav>
{% endblock main %}
""",
    "page.html": """\
{% extends "base.html" %}
{% block title %}{{ page.title }} | {{ config.title }}{% endblock title %}
{% block description %}{{ page.description }}{% endblock description %}
{% block main %}
<article>
<h1>{{ page.title }}</h1>
<p><time datetime="{{ page.date }}">{{ page.date | date(format="%Y-%m-%d") }}</time> · {{ page.reading_time }} min read</p>
<ul class="tags">
{% for t in page.taxonomies.tags | default(value=[]) %}<li><a href="{{ t.permalink }}">{{ t.name }}</a></li>
{% endfor %}</ul>
{{ page.content | safe }}
</article>
{% endblock main %}
""",
    "taxonomy_list.html": """\
{% extends "base.html" %}
{% block title %}{{ taxonomy.name }} | {{ config.title }}{% endblock title %}
{% block main %}
<h1>{{ taxonomy.name }}</h1>
<ul>
{% for t in taxonomy.terms %}<li><a href="{{ t.permalink }}">{{ t.name }}</a> ({{ t.pages_count }})</li>
{% endfor %}</ul>
{% endblock main %}
""",
    "taxonomy_single.html": """\
{% extends "base.html" %}
{% block title %}{{ term.name }} | {{ config.title }}{% endblock title %}
{% block main %}
<h1>{{ term.name }}</h1>
{% for p in paginator.pages %}
<article>
<h2><a href="{{ p.permalink }}">{{ p.title }}</a></h2>
<p><time datetime="{{ p.date }}">{{ p.date | date(format="%Y-%m-%d") }}</time></p>
<p>{{ p.description }}</p>
</article>
{% endfor %}
<nav class="pagination">
{% if paginator.previous %}<a href="{{ paginator.previous }}">Newer</a>{% endif %}
<span>Page {{ paginator.current_index }} of {{ paginator.number_pagers }}</span>
{% if paginator.next %}<a href="{{ paginator.next }}">Older</a>{% endif %}
</nav>
{% endblock main %}
""",
    "404.html": """\
{% extends "base.html" %}
{% block title %}Not found | {{ config.title }}{% endblock title %}
{% block main %}
<h1>Not found</h1>
<p><a href="{{ config.base_url }}">Back to the home page</a></p>
{% endblock main %}
""",
}


def hugo_config_toml() -> str:
    # Outputs are set to match what galley emits: site RSS on the home page, RSS per tag,
    # HTML everywhere else (Hugo's defaults would also emit section and taxonomy feeds).
    return """\
baseURL = "https://bench.example.org/"
locale = "en"
titleCaseStyle = "none"
title = "Bench corpus"
enableRobotsTXT = true

[params]
description = "Generated corpus"

[pagination]
pagerSize = 10

[taxonomies]
tag = "tags"

[outputs]
home = ["html", "rss"]
section = ["html"]
taxonomy = ["html"]
term = ["html", "rss"]
page = ["html"]

[services.rss]
limit = 20

[markup.highlight]
noClasses = false
codeFences = true
guessSyntax = false

[markup.goldmark.parser]
autoHeadingID = true
"""


def hugo_root_index() -> str:
    return '+++\ntitle = "Bench corpus"\ndescription = "Generated corpus"\n+++\n\nA generated corpus for benchmarks.\n'


def hugo_posts_index() -> str:
    return '+++\ntitle = "Blog"\ndescription = "All posts"\n+++\n\nEvery post of the corpus, newest first.\n'


# Hugo >= 0.146 template system: layouts/{baseof,home,section,page,taxonomy,term,404}.html.
HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="{{ site.Language.Locale }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ block "description" . }}{{ site.Params.description }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" title="{{ site.Title }}" href="{{ .Permalink }}">
{{ end }}{{ if not .IsHome }}{{ with site.Home.OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" title="{{ site.Title }}" href="{{ .Permalink }}">
{{ end }}{{ end }}</head>
<body>
<header><a href="{{ site.BaseURL }}">{{ site.Title }}</a>
<nav><a href="{{ site.BaseURL }}posts/">Blog</a> <a href="{{ site.BaseURL }}tags/">Tags</a></nav></header>
<main>
{{ block "main" . }}{{ end }}
</main>
<footer><p>{{ site.Params.description }}</p></footer>
</body>
</html>
""",
    "home.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ range first 10 (where site.RegularPages "Section" "posts") }}
<article>
<h2><a href="{{ .Permalink }}">{{ .Title }}</a></h2>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2006-01-02" }}</time></p>
{{ with .Summary }}{{ . }}{{ end }}
</article>
{{ end }}
{{ end }}
""",
    "section.html": """\
{{ define "title" }}{{ .Title }} | {{ site.Title }}{{ end }}
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages }}
{{ range $pager.Pages }}
<article>
<h2><a href="{{ .Permalink }}">{{ .Title }}</a></h2>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2006-01-02" }}</time></p>
<p>{{ .Description }}</p>
</article>
{{ end }}
<nav class="pagination">
{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }}
<span>Page {{ $pager.PageNumber }} of {{ $pager.TotalPages }}</span>
{{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}
</nav>
{{ end }}
""",
    "page.html": """\
{{ define "title" }}{{ .Title }} | {{ site.Title }}{{ end }}
{{ define "description" }}{{ .Description }}{{ end }}
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2006-01-02" }}</time> · {{ .ReadingTime }} min read</p>
<ul class="tags">
{{ range .GetTerms "tags" }}<li><a href="{{ .Permalink }}">{{ .LinkTitle }}</a></li>
{{ end }}</ul>
{{ .Content }}
</article>
{{/* Publish the bundle's files (cover.svg, manifest.yaml) like galley copies them. */}}
{{ range .Resources }}{{ .Publish }}{{ end }}
{{ end }}
""",
    "taxonomy.html": """\
{{ define "title" }}{{ .Title }} | {{ site.Title }}{{ end }}
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.Permalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>
{{ end }}</ul>
{{ end }}
""",
    "term.html": """\
{{ define "title" }}{{ .Title }} | {{ site.Title }}{{ end }}
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages }}
{{ range $pager.Pages }}
<article>
<h2><a href="{{ .Permalink }}">{{ .Title }}</a></h2>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2006-01-02" }}</time></p>
<p>{{ .Description }}</p>
</article>
{{ end }}
<nav class="pagination">
{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }}
<span>Page {{ $pager.PageNumber }} of {{ $pager.TotalPages }}</span>
{{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}
</nav>
{{ end }}
""",
    "404.html": """\
{{ define "title" }}Not found | {{ site.Title }}{{ end }}
{{ define "main" }}
<h1>Not found</h1>
<p><a href="{{ site.BaseURL }}">Back to the home page</a></p>
{{ end }}
""",
}

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

TAGS = [
    "kubernetes", "observability", "prometheus", "grafana", "opentelemetry", "tracing",
    "logging", "alerting", "security", "secrets", "identity", "policy", "gitops", "flux",
    "argo-cd", "helm", "kustomize", "ci", "tekton", "github-actions", "containers",
    "supply-chain", "databases", "postgresql", "backups", "storage", "networking", "dns",
    "linux", "performance", "scheduling", "high-availability", "multi-cluster",
    "local-development", "progressive-delivery", "architecture", "cost", "terraform",
    "service-mesh", "istio", "linkerd", "cilium", "ebpf", "autoscaling", "karpenter",
    "vault", "cert-manager", "tls", "ingress", "incident-response", "slo", "on-call",
    "kafka", "redis", "golang", "python", "docker", "buildkit", "sre",
    "platform-engineering", "testing", "compliance",
]

W = {}  # slot name -> list of fillers

W["tool"] = [
    "Prometheus", "Grafana", "Loki", "Tempo", "Jaeger", "the OpenTelemetry Collector",
    "Alertmanager", "Thanos", "Mimir", "Flux", "Argo CD", "Argo Rollouts", "Helm",
    "Kustomize", "Terraform", "OpenTofu", "Crossplane", "Tekton", "GitHub Actions",
    "GitLab CI", "BuildKit", "cert-manager", "external-dns", "External Secrets Operator",
    "Vault", "Sealed Secrets", "Velero", "Cilium", "Calico", "CoreDNS", "Envoy", "Istio",
    "Linkerd", "ingress-nginx", "Karpenter", "the Cluster Autoscaler", "KEDA", "Kyverno",
    "Gatekeeper", "Trivy", "cosign", "Falco", "PgBouncer", "CloudNativePG", "Redis",
    "Kafka", "NATS", "containerd", "etcd", "Renovate", "Backstage", "kind", "minikube",
]
W["component"] = [
    "the API server", "the scheduler", "the kubelet", "etcd", "the ingress controller",
    "the node pool", "the control plane", "the mesh sidecar", "the CI runner fleet",
    "the container registry", "the build cache", "the cluster DNS", "the load balancer",
    "the connection pooler", "the message broker", "the metrics pipeline",
    "the log shipper", "the admission webhook", "the secrets store", "the deploy pipeline",
    "the staging cluster", "the platform API", "the developer portal", "the artifact store",
    "the object storage bucket", "the primary database", "the read replicas",
    "the service catalog", "the egress gateway", "the image mirror",
]
W["metric"] = [
    "p99 latency", "the error rate", "CPU throttling", "the memory working set",
    "request rate", "the restart count", "pod startup time", "build duration",
    "deploy frequency", "the change failure rate", "time to restore", "the cache hit ratio",
    "DNS lookup latency", "TLS handshake time", "disk IOPS", "replication lag",
    "open connections", "GC pause time", "scrape duration", "series cardinality",
    "the ingestion rate", "queue depth", "consumer lag", "the eviction count",
    "image pull time", "reconcile duration", "the error budget burn rate",
]
W["failure"] = [
    "an expired certificate", "a misconfigured readiness probe", "a missing memory limit",
    "an OOM-killed sidecar", "DNS timeouts under load", "a stale image tag",
    "a drifted Helm release", "a webhook that timed out", "a noisy neighbour on the node",
    "a full ephemeral disk", "a leaked connection pool", "an unbounded label set",
    "a retry storm", "clock skew between nodes", "a rotated secret nobody reloaded",
    "a zonal outage", "a throttled API server", "a broken CRD upgrade", "a runaway CronJob",
    "a forgotten finalizer", "a hard-coded endpoint", "a conntrack table that filled up",
    "an evicted ingress pod", "a registry rate limit", "a split-brain failover",
    "a certificate chain missing its intermediate", "an IP exhaustion in the pod CIDR",
    "a silent schema migration failure", "a default that changed in a minor release",
]
W["practice"] = [
    "pin chart versions", "set CPU requests from measured usage", "tie every alert to an SLO",
    "version the platform API", "roll out one cluster at a time",
    "run a canary for every change", "keep every manifest in Git", "sign every image",
    "rotate credentials automatically", "test the restore path every month",
    "label every metric with the owning team", "cap the cardinality of each series",
    "prefer readiness probes over liveness probes", "keep base images small",
    "review the rendered diff before merging", "set a PodDisruptionBudget for every service",
    "spread replicas across zones", "write the runbook before the alert",
    "keep the blast radius to one namespace", "make rollbacks a single commit",
    "record the reason for every exception", "measure before tuning",
    "run the same checks locally and in CI", "delete what nobody owns",
    "alert on symptoms rather than causes", "budget for the upgrade every quarter",
    "keep secrets out of environment variables", "set timeouts on every outbound call",
    "cache dependencies between builds", "default to deny in network policies",
]
W["good"] = [
    "the queue drains in minutes instead of hours", "the cluster stays within budget",
    "on-call has one dashboard to open", "builds finish in under five minutes",
    "nobody has to SSH into a node", "a bad change is reverted with one commit",
    "new services are live on their first day", "incidents are shorter and quieter",
    "the upgrade becomes a routine change", "teams stop waiting on tickets",
    "the bill shows who spends what", "restores are rehearsed rather than hoped for",
    "reviews focus on intent instead of YAML", "alerts page the team that can act",
]
W["bad"] = [
    "the rollout stalls halfway", "the pager goes off at three in the morning",
    "requests queue behind a single slow replica", "the node drains take an hour",
    "every deploy becomes a negotiation", "the dashboards disagree with each other",
    "retries double the load on the database", "pods restart in a tight loop",
    "the change can only be reverted by hand", "costs climb without anyone noticing",
    "the reconcile loop fights a manual edit", "latency spikes every full hour",
]
W["team"] = [
    "the platform team", "the payments team", "on-call", "the SRE rotation",
    "application developers", "the security team", "the data team", "release managers",
    "new hires", "the search team", "the mobile backend team", "service owners",
]
W["env"] = [
    "staging", "production", "the dev cluster", "every region", "the edge clusters",
    "the preview environments", "the shared cluster", "the EU region", "the load-test cluster",
]
W["dur"] = [
    "two weeks", "a month", "a quarter", "six weeks", "three sprints", "a weekend",
    "ten days", "half a year", "two release cycles",
]
W["topic"] = [
    "progressive delivery", "secret rotation", "cluster upgrades", "log retention",
    "multi-tenant clusters", "image provenance", "GitOps drift", "capacity planning",
    "pod autoscaling", "DNS resolution", "certificate rotation", "alert fatigue",
    "burn-rate alerts", "build caching", "database failover", "backup restores",
    "network policies", "cost allocation", "node upgrades", "admission control",
    "service mesh rollouts", "preview environments", "on-call handovers", "incident reviews",
    "runbook automation", "dependency updates", "container hardening", "trace sampling",
    "metric cardinality", "quota management", "connection pooling", "zero-downtime deploys",
]
W["cmd"] = [
    "kubectl get events --sort-by=.lastTimestamp", "kubectl rollout status deploy/@svc@",
    "kubectl top pods -n @ns@", "helm diff upgrade", "flux reconcile kustomization apps",
    "argocd app sync @svc@", "terraform plan", "promtool check rules",
    "dig +short @svc@.@ns@.svc.cluster.local", "curl -sf localhost:8080/healthz",
    "journalctl -u kubelet", "crictl ps", "kubectl describe node", "kubectl auth can-i",
    "kubectl get pdb -A", "velero backup describe", "trivy image", "cosign verify",
    "kubectl debug -it", "ss -tanp", "kubectl explain deployment.spec.strategy",
]
W["field"] = [
    "spec.replicas", "resources.requests.cpu", "readinessProbe.periodSeconds",
    "terminationGracePeriodSeconds", "maxUnavailable", "topologySpreadConstraints",
    "podAntiAffinity", "imagePullPolicy", "serviceAccountName", "priorityClassName",
    "minReadySeconds", "progressDeadlineSeconds", "maxSurge", "revisionHistoryLimit",
    "concurrencyPolicy", "startingDeadlineSeconds", "ndots", "externalTrafficPolicy",
    "sessionAffinity", "automountServiceAccountToken", "readOnlyRootFilesystem",
]
W["usecase"] = [
    "small teams", "regulated workloads", "multi-region traffic", "batch jobs",
    "internal APIs", "edge sites", "stateful services", "developer self-service",
]
W["adj"] = [
    "boring", "predictable", "cheap", "explicit", "reviewable", "reversible", "observable",
    "fast", "repeatable", "auditable",
]

SVC_A = [
    "checkout", "billing", "ledger", "search", "catalog", "orders", "invoices", "auth",
    "profile", "notify", "inventory", "pricing", "shipping", "reports", "ingest", "audit",
    "gateway", "media", "payments", "quotes", "events", "tenants", "metering", "export",
]
SVC_B = ["api", "worker", "sync", "gateway", "web", "consumer", "scheduler", "proxy", "indexer", "cron"]
NAMESPACES = [
    "payments", "platform", "observability", "storefront", "identity", "data", "ops",
    "internal", "billing", "search", "edge", "batch",
]
TEAMS_SHORT = ["platform", "payments", "commerce", "data", "identity", "core", "growth", "infra"]

SENTENCES = [
    "Most incidents we traced back to {failure} started long before anyone looked at {metric}.",
    "{Tool} handles this well, as long as you {practice}.",
    "When {component} is under pressure, {bad}.",
    "We set {field} to {num} after watching {metric} in {env} for {dur}.",
    "The fix was {adj}: {practice}, then {practice}.",
    "Run {cmd} first; it tells you more than any dashboard.",
    "A common mistake is to read {metric} as a proxy for {metric}.",
    "{Team} owns {component}, so the alert routes to them and to nobody else.",
    "In {env}, {tool} replaced a pile of shell scripts and cut {metric} by {pct}.",
    "{Tool} and {tool} overlap more than their documentation admits.",
    "If you only change one thing, {practice}.",
    "The trade-off is operational: {tool} is one more controller to upgrade, but {good}.",
    "We measured a {pct} drop in {metric} once {component} stopped competing for CPU.",
    "Expect {failure} at least once a quarter and write the runbook around it.",
    "That is why {team} reviews every change to {component} in a pull request.",
    "After {dur}, {metric} settled around {num} ms, well inside the objective.",
    "Nothing here is specific to {tool}; the same reasoning applies to {tool}.",
    "The first symptom was {metric} creeping up in {env}, and the cause was {failure}.",
    "Keeping {field} explicit in every manifest makes reviews {adj}.",
    "A good default is to {practice} and to revisit it only with data.",
    "{Tool} exposes enough metrics to tell whether {component} is the bottleneck.",
    "We learned the hard way that {failure} looks exactly like {failure} from the outside.",
    "Check {metric} before and after the change; if it moved by more than {pct}, stop.",
    "When the budget is tight, start here: {practice}.",
    "Our rule is simple: {practice}, and make the exception visible in the diff.",
    "With {num} services in {env}, manual steps stop scaling around the second week.",
    "The on-call engineer should be able to run {cmd} without reading the source.",
    "{Team} asked for something {adj}, and {tool} was the smallest thing that fit.",
    "It is tempting to tune {field} first, but the real lever is {metric}.",
    "Once {component} is split per team, {good}.",
    "Without that guard rail, {bad}, and nobody notices until {metric} alarms.",
    "We keep the configuration in the same repository as the service, next to its tests.",
    "Every exception has an owner and an expiry date, or it does not get merged.",
    "The numbers below come from {env} over {dur}, not from a benchmark on a laptop.",
    "Dashboards are for questions you already know; traces answer the ones you do not.",
    "A rollback that needs a meeting is not a rollback.",
    "The cheapest outage is the one the canary catches at five percent of traffic.",
    "{Tool} made {topic} {adj} for {team}, which was the whole point.",
    "Write down why {field} has the value it has; the next person will ask.",
    "Under load, {component} degrades in a way that {metric} alone does not show.",
    "The default of {num} was fine for a demo and wrong for {env}.",
    "Start with {topic} in one namespace, measure, and only then widen the scope.",
    "Treat {failure} as a test case, not as bad luck.",
    "Since we made it a rule to {practice}, {good}.",
    "The incident review for {failure} produced one action item: {practice}.",
    "On a quiet day {metric} is flat; on a bad day it is the first graph to move.",
    "{Tool} did not fix {topic} by itself, but it made the problem visible.",
    "We run the same check in CI and in {env}, so a green build means something.",
    "The alert fires when {metric} stays above {num} for {dur2}, not on a single spike.",
    "Two teams owning {component} is the same as nobody owning it.",
    "Most of the toil disappeared once {team} could {practice} without filing a ticket.",
    "Keep the first version {adj}; the clever parts can wait for real data.",
    "{Tool} has sane defaults, except for {field}, which needs a deliberate value.",
    "The cost of {topic} is mostly people, not machines.",
    "A staging cluster that differs from production in {field} will lie to you.",
    "We page on {metric} and open tickets for everything else.",
    "Upgrading {tool} in {env} took {dur}, most of it waiting for other teams.",
    "It is worth reading the release notes of {tool} for every minor version.",
    "In practice, {failure} shows up first as {metric} drifting in {env}.",
    "Good defaults beat documentation: most people never open the runbook before the incident.",
    "The runbook for {failure} fits on one screen and starts with `{cmd0}`.",
    "If {team} cannot explain a setting, it goes back to the default.",
    "Load tests in {env} reproduced {failure} within {dur2}.",
    "The migration took {dur}, most of it spent on {topic} rather than on {tool} itself.",
    "Nobody on {team} wants to learn {tool} internals to ship a feature, and they should not have to.",
    "We compared the two approaches in {env} and kept the one that made {metric} {adj}.",
    "If {metric} and {metric} disagree, trust the one measured closest to the user.",
    "A single {cmd} after each deploy would have caught {failure} in seconds.",
    "The platform should make the right thing {adj} and the wrong thing loud.",
    "Budget {pct} of headroom on {component}; the rest is for the bad day.",
    "{Tool} will happily accept a configuration that {tool} rejects, so validate in CI.",
    "Most of the value came from {practice}, not from any new tool.",
    "That change alone took {metric} from {num} to {num} in {env}.",
    "Review {field} whenever the traffic profile changes, not only at launch.",
    "The failure mode to design for is {failure}, because it is silent.",
]
INTRO_SENTENCES = [
    "This is the write-up of how we handle {topic} with {tool} in {env}.",
    "{Topic} looks simple until {failure} takes down a service at the worst moment.",
    "We spent {dur} on {topic}, and most of what we learned fits on one page.",
    "Here is what worked for {topic} across {num} services, and what did not.",
    "{Team} kept asking the same questions about {topic}, so we wrote the answers down.",
    "The short version: {practice}, and let {tool} do the rest.",
]
LINK_SENTENCES = [
    "We covered the rollout side in [{linktitle}]({linkurl}).",
    "For the background, see [{linktitle}]({linkurl}).",
    "The same pattern shows up in [{linktitle}]({linkurl}), with different numbers.",
    "If you have not read it yet, [{linktitle}]({linkurl}) explains why this matters.",
    "This builds on [{linktitle}]({linkurl}).",
    "Compare with the approach in [{linktitle}]({linkurl}), which trades speed for safety.",
]
CODE_LEADS = {
    "yaml": ["The manifest we ended up with:", "Here is the trimmed manifest:",
             "The relevant objects look like this:", "Apply this and watch the rollout:"],
    "bash": ["The script we run from CI:", "A small wrapper does the checking:",
             "This is the script on-call runs:", "Automate it rather than typing it:"],
    "go": ["A minimal Go program shows the idea:", "The Go side is short:",
           "Here is the core of the service:", "In Go, the pattern looks like this:"],
    "json": ["The payload looks like this:", "The JSON we store is small:",
             "For reference, the exported document:", "The structured log line:"],
    "toml": ["The configuration file:", "The settings we use:",
             "This is the whole config:", "Our defaults, in TOML:"],
    "dockerfile": ["The image is built with a multi-stage Dockerfile:", "The Dockerfile:",
                   "A small, non-root image:", "Build it like this:"],
    "python": ["A short Python script does the analysis:", "The helper script:",
               "We check it with a few lines of Python:", "Here is the Python version:"],
}
HEADINGS_H2 = [
    "Why we care about {topic}", "What broke", "The setup", "How we measure it",
    "Rolling it out", "Trade-offs", "What we would do again", "Failure modes",
    "The configuration", "Operating it", "Numbers from {env}", "Where {tool} fits",
    "Costs and limits", "Testing the change", "Ownership", "Migration path",
    "Day-two operations", "What to alert on", "Lessons from {dur} in production",
    "Choosing between {tool} and {tool}", "The checklist", "Debugging {topic}",
    "Scaling past {num} services", "Security considerations", "Rollback plan",
]
HEADINGS_H3 = [
    "Requests and limits", "Probes", "Timeouts", "Labels", "Retries", "Permissions",
    "Caching", "Dashboards", "Alerts", "Backups", "Upgrades", "Naming", "Defaults",
    "Edge cases", "Local testing", "CI checks", "Secrets", "Network policy", "Quotas",
    "Rollout order", "Observability", "Capacity", "Ownership tags", "Cleanup",
]
LIST_ITEMS = [
    "{Practice}.", "Alert on {metric}, not on {metric}.", "Keep {field} explicit.",
    "Check {metric} after every deploy.", "Give {team} a dashboard they own.",
    "Document how to recover from {failure}.", "Run `{cmd}` as part of the runbook.",
    "Use {tool} where it removes a manual step, nowhere else.",
    "Budget {pct} headroom on {component}.", "Review {topic} every {dur}.",
    "Make {topic} {adj} before making it clever.", "Delete the exception once {good}.",
]
STEP_ITEMS = [
    "Run `{cmd}` and save the output.", "Compare {metric} with last week.",
    "Set {field} in the manifest and open a pull request.",
    "Let {tool} reconcile and watch {metric}.", "Roll out to {env} first.",
    "Wait {dur2} and check the error budget.", "Promote the change to production.",
    "Remove the old configuration once nothing reads it.",
    "Announce the change to {team}.", "Record the result in the decision log.",
]
TITLES = [
    "{Tool} in production: what {dur} taught us",
    "Debugging {topic} on Kubernetes",
    "How we cut {metric} by {pct} with {tool}",
    "{Tool} vs {tool} for {usecase}",
    "A practical guide to {topic}",
    "Running {tool} across {num} clusters",
    "{Topic}: a field guide for platform teams",
    "The {topic} checklist we use before every release",
    "Notes on {topic} after {num} incidents",
    "Making {topic} {adj} with {tool}",
    "{Topic} without the drama",
    "What {failure} taught us about {topic}",
    "{Tool} for {usecase}: a year later",
    "Getting {metric} under control",
]
DESCRIPTIONS = [
    "How we approach {topic} with {tool}, with the manifests and scripts we actually run.",
    "Lessons from {dur} of {topic} in {env}: configuration, numbers and failure modes.",
    "A practical look at {topic}: what to measure, what to alert on, and what to automate.",
    "Why {practice} matters for {topic}, with tested snippets.",
    "{Tool} and {topic} in practice: setup, trade-offs and the mistakes we made.",
]

# ---------------------------------------------------------------------------
# Template filling
# ---------------------------------------------------------------------------

_SLOT_RE = re.compile(r"\{(\w+)\}")
_COMPILED: dict[str, list[str]] = {}


def _compile(tpl: str) -> list[str]:
    parts = _COMPILED.get(tpl)
    if parts is None:
        parts = _SLOT_RE.split(tpl)
        _COMPILED[tpl] = parts
    return parts


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s and s[0].islower() else s


def sub(tpl: str, **kw) -> str:
    """Replace @name@ markers in code templates (braces are too common in code)."""
    return re.sub(r"@(\w+)@", lambda m: str(kw[m.group(1)]), tpl)


class Filler:
    def __init__(self, rng: random.Random, ctx: "PostCtx", focus: dict | None = None):
        self.rng = rng
        self.ctx = ctx
        self.focus = focus or {}  # slot name -> preferred filler (the post's main tool and topic)
        self.decks: dict[int, list[str]] = {}

    def slot(self, name: str) -> str:
        rng = self.rng
        if name[0].isupper():
            return _cap(self.slot(name[0].lower() + name[1:]))
        fv = self.focus.get(name)
        if fv is not None and rng.random() < 0.4:
            return fv
        if name == "num":
            return str(rng.choice([3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 120, 200, 250, 400]))
        if name == "pct":
            return f"{rng.choice([5, 8, 10, 12, 15, 20, 25, 30, 35, 40, 50, 60, 70])}%"
        if name == "dur2":
            return rng.choice(["ten minutes", "an hour", "a day", "one full traffic peak", "two deploys"])
        if name == "cmd":
            return "`" + sub(rng.choice(W["cmd"]), svc=self.ctx.svc, ns=self.ctx.ns) + "`"
        if name == "cmd0":
            return sub(rng.choice(W["cmd"]), svc=self.ctx.svc, ns=self.ctx.ns)
        if name == "field":
            return "`" + rng.choice(W["field"]) + "`"
        return rng.choice(W[name])

    def draw(self, pool: list[str]) -> str:
        """Pick from `pool` without replacement within a post (reshuffled when exhausted)."""
        deck = self.decks.get(id(pool))
        if not deck:
            deck = pool[:]
            self.rng.shuffle(deck)
            self.decks[id(pool)] = deck
        return deck.pop()

    def fill(self, tpl: str) -> str:
        parts = _compile(tpl)
        out = []
        seen: set[str] = set()
        for i, p in enumerate(parts):
            if i % 2:
                v = self.slot(p)
                for _ in range(8):  # no "Flux vs Flux": one value per slot name and sentence
                    if v.lower() not in seen:
                        break
                    v = self.slot(p)
                seen.add(v.lower())
                out.append(v)
            else:
                out.append(p)
        return _cap("".join(out))


# ---------------------------------------------------------------------------
# Minimal YAML emitter (enough for Kubernetes manifests)
# ---------------------------------------------------------------------------

_PLAIN_RE = re.compile(r"^[A-Za-z/][A-Za-z0-9._/\-]*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def yscalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    s = str(v)
    if _PLAIN_RE.match(s) and s.lower() not in _RESERVED:
        return s
    return json.dumps(s)


def yemit(obj, indent: int = 0) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            key = yscalar(k)
            if isinstance(v, dict) and v:
                lines.append(f"{pad}{key}:")
                lines.extend(yemit(v, indent + 2))
            elif isinstance(v, list) and v:
                lines.append(f"{pad}{key}:")
                lines.extend(yemit(v, indent + 2))
            elif isinstance(v, dict):
                lines.append(f"{pad}{key}: {{}}")
            elif isinstance(v, list):
                lines.append(f"{pad}{key}: []")
            elif isinstance(v, str) and "\n" in v:
                lines.append(f"{pad}{key}: |")
                for ln in v.rstrip("\n").split("\n"):
                    lines.append(f"{pad}  {ln}" if ln else "")
            else:
                lines.append(f"{pad}{key}: {yscalar(v)}")
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, (dict, list)) and item:
                sub_lines = yemit(item, indent + 2)
                sub_lines[0] = pad + "- " + sub_lines[0][indent + 2:]
                lines.extend(sub_lines)
            else:
                lines.append(f"{pad}- {yscalar(item)}")
    else:
        lines.append(pad + yscalar(obj))
    return lines


def ydump(obj) -> str:
    return "\n".join(yemit(obj)) + "\n"


# ---------------------------------------------------------------------------
# Code snippet generators (each returns valid source text)
# ---------------------------------------------------------------------------


@dataclass
class PostCtx:
    idx: int
    svc: str
    ns: str
    team: str
    port: int
    version: str
    svcs: list[str] = field(default_factory=list)


def _labels(ctx: PostCtx) -> dict:
    return {"app.kubernetes.io/name": ctx.svc, "app.kubernetes.io/part-of": ctx.team}


def k8s_deployment(rng: random.Random, ctx: PostCtx) -> dict:
    c = {
        "name": ctx.svc.split("-")[-1] if rng.random() < 0.3 else ctx.svc,
        "image": f"registry.example.org/{ctx.team}/{ctx.svc}:{ctx.version}",
        "ports": [{"name": "http", "containerPort": ctx.port, "protocol": "TCP"}],
    }
    if rng.random() < 0.4:
        c["imagePullPolicy"] = "IfNotPresent"
    if rng.random() < 0.3:
        c["args"] = [f"--listen=:{ctx.port}", f"--log-level={rng.choice(['info', 'debug', 'warn'])}"]
    env = [{"name": "LOG_FORMAT", "value": "json"}]
    if rng.random() < 0.6:
        env.append({"name": "GOMAXPROCS", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1"}}})
    if rng.random() < 0.5:
        env.append({"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": f"{ctx.svc}-db", "key": "url"}}})
    if rng.random() < 0.5:
        env.append({"name": "FEATURE_FLAGS", "valueFrom": {"configMapKeyRef": {"name": f"{ctx.svc}-config", "key": "flags", "optional": True}}})
    if rng.random() < 0.4:
        env.append({"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}})
    c["env"] = env
    cpu = rng.choice([50, 100, 150, 200, 250, 500])
    mem = rng.choice([64, 128, 256, 384, 512, 768, 1024])
    res = {"requests": {"cpu": f"{cpu}m", "memory": f"{mem}Mi"}, "limits": {"memory": f"{mem * 2}Mi"}}
    if rng.random() < 0.3:
        res["limits"]["cpu"] = f"{cpu * 4}m"
    c["resources"] = res
    c["readinessProbe"] = {
        "httpGet": {"path": rng.choice(["/readyz", "/healthz/ready", "/ready"]), "port": "http"},
        "periodSeconds": rng.choice([5, 10]),
        "failureThreshold": rng.choice([2, 3, 6]),
    }
    if rng.random() < 0.6:
        c["livenessProbe"] = {
            "httpGet": {"path": "/healthz", "port": "http"},
            "initialDelaySeconds": rng.choice([5, 10, 15]),
            "periodSeconds": rng.choice([10, 20]),
            "timeoutSeconds": rng.choice([1, 2, 3]),
        }
    if rng.random() < 0.7:
        c["securityContext"] = {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        }
    pod_spec: dict = {}
    if rng.random() < 0.5:
        pod_spec["serviceAccountName"] = ctx.svc
    if rng.random() < 0.4:
        pod_spec["securityContext"] = {"runAsUser": 65532, "runAsGroup": 65532, "fsGroup": 65532, "seccompProfile": {"type": "RuntimeDefault"}}
    if rng.random() < 0.3:
        pod_spec["terminationGracePeriodSeconds"] = rng.choice([30, 45, 60])
    pod_spec["containers"] = [c]
    if rng.random() < 0.4:
        c["volumeMounts"] = [{"name": "config", "mountPath": "/etc/" + ctx.svc, "readOnly": True},
                             {"name": "tmp", "mountPath": "/tmp"}]
        pod_spec["volumes"] = [{"name": "config", "configMap": {"name": f"{ctx.svc}-config"}},
                               {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]
    if rng.random() < 0.4:
        pod_spec["topologySpreadConstraints"] = [{
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": rng.choice(["ScheduleAnyway", "DoNotSchedule"]),
            "labelSelector": {"matchLabels": {"app.kubernetes.io/name": ctx.svc}},
        }]
    spec: dict = {"replicas": rng.choice([2, 3, 3, 4, 6])}
    if rng.random() < 0.4:
        spec["revisionHistoryLimit"] = rng.choice([3, 5, 10])
    spec["selector"] = {"matchLabels": {"app.kubernetes.io/name": ctx.svc}}
    if rng.random() < 0.5:
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": rng.choice([1, "25%"]), "maxUnavailable": 0}}
    if rng.random() < 0.3:
        spec["minReadySeconds"] = rng.choice([5, 10, 30])
    spec["template"] = {"metadata": {"labels": _labels(ctx)}, "spec": pod_spec}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": ctx.svc, "namespace": ctx.ns, "labels": _labels(ctx)}, "spec": spec}


def k8s_service(rng: random.Random, ctx: PostCtx) -> dict:
    spec: dict = {"type": rng.choice(["ClusterIP", "ClusterIP", "ClusterIP", "NodePort"])}
    spec["selector"] = {"app.kubernetes.io/name": ctx.svc}
    spec["ports"] = [{"name": "http", "port": rng.choice([80, 8080]), "targetPort": "http", "protocol": "TCP"}]
    if rng.random() < 0.3:
        spec["ports"].append({"name": "metrics", "port": 9090, "targetPort": 9090, "protocol": "TCP"})
    if rng.random() < 0.2:
        spec["sessionAffinity"] = "None"
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": ctx.svc, "namespace": ctx.ns, "labels": _labels(ctx)}, "spec": spec}


def k8s_configmap(rng: random.Random, ctx: PostCtx) -> dict:
    data = {"LOG_LEVEL": rng.choice(["info", "debug", "warn"]),
            "flags": ",".join(rng.sample(["new-checkout", "fast-search", "async-export", "beta-ui", "strict-auth"], 2)),
            "MAX_CONNECTIONS": str(rng.choice([20, 50, 100, 200]))}
    if rng.random() < 0.6:
        cfg = (f"server:\n  port: {ctx.port}\n  readTimeout: {rng.choice([5, 10, 30])}s\n"
               f"upstreams:\n  - name: {rng.choice(SVC_A)}\n    url: http://{rng.choice(SVC_A)}-api.{ctx.ns}.svc.cluster.local\n"
               f"retries: {rng.choice([1, 2, 3])}\n")
        data["config.yaml"] = cfg
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": f"{ctx.svc}-config", "namespace": ctx.ns, "labels": _labels(ctx)}, "data": data}


def k8s_hpa(rng: random.Random, ctx: PostCtx) -> dict:
    lo = rng.choice([2, 3])
    spec = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": ctx.svc},
        "minReplicas": lo, "maxReplicas": lo * rng.choice([3, 4, 5]),
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": rng.choice([60, 70, 75, 80])}}}],
    }
    if rng.random() < 0.5:
        spec["behavior"] = {"scaleDown": {"stabilizationWindowSeconds": rng.choice([120, 300, 600]),
                                          "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": ctx.svc, "namespace": ctx.ns}, "spec": spec}


def k8s_pdb(rng: random.Random, ctx: PostCtx) -> dict:
    spec: dict = {}
    if rng.random() < 0.5:
        spec["minAvailable"] = rng.choice([1, 2, "50%"])
    else:
        spec["maxUnavailable"] = 1
    spec["selector"] = {"matchLabels": {"app.kubernetes.io/name": ctx.svc}}
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": ctx.svc, "namespace": ctx.ns}, "spec": spec}


def k8s_cronjob(rng: random.Random, ctx: PostCtx) -> dict:
    hour = rng.randint(0, 5)
    job = {
        "backoffLimit": rng.choice([1, 2, 3]),
        "template": {"spec": {
            "restartPolicy": "OnFailure",
            "containers": [{
                "name": "job",
                "image": f"registry.example.org/{ctx.team}/{ctx.svc}:{ctx.version}",
                "args": [rng.choice(["compact", "export", "reindex", "cleanup"]), f"--older-than={rng.choice([7, 14, 30])}d"],
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
            }],
        }},
    }
    if rng.random() < 0.5:
        job["activeDeadlineSeconds"] = rng.choice([600, 1800, 3600])
    return {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": f"{ctx.svc}-nightly", "namespace": ctx.ns},
            "spec": {"schedule": f"{rng.choice([0, 15, 30, 45])} {hour} * * *", "concurrencyPolicy": "Forbid",
                     "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1, "jobTemplate": {"spec": job}}}


def gen_yaml(rng: random.Random, ctx: PostCtx) -> str:
    r = rng.random()
    if r < 0.30:
        docs = [k8s_deployment(rng, ctx)]
    elif r < 0.50:
        docs = [k8s_deployment(rng, ctx), k8s_service(rng, ctx)]
    elif r < 0.62:
        docs = [k8s_service(rng, ctx)]
    elif r < 0.76:
        docs = [k8s_configmap(rng, ctx)]
    elif r < 0.84:
        docs = [k8s_hpa(rng, ctx)]
    elif r < 0.92:
        docs = [k8s_pdb(rng, ctx)]
    else:
        docs = [k8s_cronjob(rng, ctx)]
    return "---\n".join(ydump(d) for d in docs)


BASH_PIECES = [
    r'''if ! kubectl -n "$NAMESPACE" rollout status "deployment/$DEPLOYMENT" --timeout="${TIMEOUT}s"; then
  log "rollout of $DEPLOYMENT did not finish, rolling back"
  kubectl -n "$NAMESPACE" rollout undo "deployment/$DEPLOYMENT"
  exit 1
fi''',
    r'''for ctx in @ctxs@; do
  log "checking nodes in $ctx"
  kubectl --context "$ctx" get nodes -o wide
done''',
    r'''for attempt in $(seq 1 @n@); do
  if curl -fsS --max-time 5 "http://@svc@.@ns@.svc.cluster.local/healthz" >/dev/null; then
    log "healthy after $attempt attempts"
    break
  fi
  sleep $((attempt * 2))
done''',
    r'''case "${1:-plan}" in
  plan)
    terraform -chdir="envs/@env@" plan -out=tfplan
    ;;
  apply)
    terraform -chdir="envs/@env@" apply tfplan
    ;;
  *)
    echo "usage: $0 plan|apply" >&2
    exit 2
    ;;
esac''',
    r'''kubectl apply -f - <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: @svc@-flags
  namespace: @ns@
data:
  LOG_LEVEL: info
EOF''',
    r'''kubectl get pods -A -o json \
  | jq -r '.items[] | select(.status.phase != "Running") | "\(.metadata.namespace)/\(.metadata.name)"' \
  | sort | uniq -c''',
    r'''tmpdir="$(mktemp -d)"
trap 'rm -rf "$tmpdir"' EXIT
kubectl -n "$NAMESPACE" get deployment "$DEPLOYMENT" -o yaml > "$tmpdir/before.yaml"''',
    r'''services=(@svcs@)
for svc in "${services[@]}"; do
  kubectl -n "$NAMESPACE" scale deployment "$svc" --replicas=@n@
done''',
    r'''helm upgrade --install @svc@ ./charts/@svc@ \
  --namespace "$NAMESPACE" --create-namespace \
  --set image.tag="@ver@" \
  --wait --timeout "${TIMEOUT}s"''',
    r'''kubectl -n "$NAMESPACE" get events --field-selector type=Warning -o name | while read -r ev; do
  log "warning event: $ev"
done''',
    r'''flux reconcile kustomization @svc@ --with-source
flux get kustomizations --status-selector ready=false''',
    r'''count=$(kubectl -n "$NAMESPACE" get pods -l "app.kubernetes.io/name=$DEPLOYMENT" --no-headers | wc -l)
if [ "$count" -lt @n@ ]; then
  log "only $count replicas of $DEPLOYMENT are running"
fi''',
    r'''backup="@svc@-$(date -u +%Y%m%d%H%M)"
velero backup create "$backup" --include-namespaces "$NAMESPACE" --wait
velero backup describe "$backup" --details''',
    r'''check_cert() {
  local host="$1"
  echo | openssl s_client -servername "$host" -connect "$host:443" 2>/dev/null \
    | openssl x509 -noout -enddate
}
check_cert "@svc@.example.org"''',
    r'''while IFS= read -r line; do
  printf '%s\n' "${line%%#*}"
done < "config/@svc@.env"''',
]


def gen_bash(rng: random.Random, ctx: PostCtx) -> str:
    head = sub(r'''#!/usr/bin/env bash
set -euo pipefail

NAMESPACE="${NAMESPACE:-@ns@}"
DEPLOYMENT="@svc@"
TIMEOUT="${TIMEOUT:-@timeout@}"

log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}
''', ns=ctx.ns, svc=ctx.svc, timeout=rng.choice([60, 120, 180, 300]))
    pieces = rng.sample(BASH_PIECES, rng.randint(2, 4))
    kw = dict(ns=ctx.ns, svc=ctx.svc, n=rng.randint(2, 6), ver=ctx.version,
              env=rng.choice(["staging", "production", "dev"]),
              ctxs=" ".join(rng.sample(["eu-west-1", "eu-central-1", "us-east-1", "ap-south-1", "staging"], 3)),
              svcs=" ".join(ctx.svcs[:3]))
    return head + "\n" + "\n\n".join(sub(p, **kw) for p in pieces) + "\n"


GO_PROGRAMS = [
    # HTTP health server
    '''package main

import (
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := os.Getenv("@ENV@_ADDR")
	if addr == "" {
		addr = ":@port@"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok"))
	})
	srv := &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: @t1@ * time.Second,
		WriteTimeout:      @t2@ * time.Second,
	}
	log.Printf("@svc@ listening on %s", addr)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
''',
    # retry with backoff
    '''package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

var errTransient = errors.New("transient")

func @fn@(ctx context.Context, attempts int, op func() error) error {
	delay := @ms@ * time.Millisecond
	for i := 0; i < attempts; i++ {
		err := op()
		if err == nil || !errors.Is(err, errTransient) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
	return fmt.Errorf("gave up after %d attempts", attempts)
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), @t2@*time.Second)
	defer cancel()
	calls := 0
	err := @fn@(ctx, @n@, func() error {
		calls++
		if calls < 3 {
			return errTransient
		}
		return nil
	})
	fmt.Println("calls:", calls, "err:", err)
}
''',
    # config from env
    '''package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

type Config struct {
	Port        int
	Timeout     time.Duration
	MaxInflight int
}

func getInt(key string, def int) int {
	if v, ok := os.LookupEnv(key); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func load@Fn@() Config {
	return Config{
		Port:        getInt("@ENV@_PORT", @port@),
		Timeout:     time.Duration(getInt("@ENV@_TIMEOUT_MS", @ms@)) * time.Millisecond,
		MaxInflight: getInt("@ENV@_MAX_INFLIGHT", @n2@),
	}
}

func main() {
	cfg := load@Fn@()
	fmt.Printf("%+v\\n", cfg)
}
''',
    # worker pool
    '''package main

import (
	"fmt"
	"sync"
)

type job struct {
	id      int
	payload string
}

func main() {
	jobs := make(chan job)
	results := make(chan string)
	var wg sync.WaitGroup
	for w := 1; w <= @n@; w++ {
		wg.Add(1)
		go func(worker int) {
			defer wg.Done()
			for j := range jobs {
				results <- fmt.Sprintf("worker %d handled %s #%d", worker, j.payload, j.id)
			}
		}(w)
	}
	go func() {
		for i := 0; i < @n2@; i++ {
			jobs <- job{id: i, payload: "@svc@"}
		}
		close(jobs)
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	count := 0
	for range results {
		count++
	}
	fmt.Println("processed", count, "jobs")
}
''',
    # structured log
    '''package main

import (
	"encoding/json"
	"os"
	"time"
)

type event struct {
	Time      time.Time `json:"time"`
	Level     string    `json:"level"`
	Service   string    `json:"service"`
	Message   string    `json:"msg"`
	LatencyMs int64     `json:"latency_ms"`
}

func main() {
	enc := json.NewEncoder(os.Stdout)
	start := time.Now()
	// ... handle the request ...
	e := event{
		Time:      time.Now().UTC(),
		Level:     "@level@",
		Service:   "@svc@",
		Message:   "request served",
		LatencyMs: time.Since(start).Milliseconds(),
	}
	if err := enc.Encode(e); err != nil {
		os.Exit(1)
	}
}
''',
    # graceful shutdown
    '''package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	srv := &http.Server{Addr: ":@port@", ReadHeaderTimeout: @t1@ * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			log.Fatalf("@svc@: %v", err)
		}
	}()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), @t2@*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Printf("shutdown: %v", err)
	}
}
''',
]


def _camel(s: str) -> str:
    return "".join(p.capitalize() for p in s.split("-"))


def gen_go(rng: random.Random, ctx: PostCtx) -> str:
    tpl = rng.choice(GO_PROGRAMS)
    camel = _camel(ctx.svc)
    return sub(tpl, svc=ctx.svc, port=ctx.port, ENV=ctx.svc.upper().replace("-", "_"),
               t1=rng.choice([2, 5, 10]), t2=rng.choice([10, 15, 30]), ms=rng.choice([100, 200, 250, 500]),
               n=rng.randint(2, 8), n2=rng.choice([16, 32, 64, 100, 256]),
               fn="retry" + camel, Fn=camel, level=rng.choice(["info", "warn", "debug"]))


def gen_json(rng: random.Random, ctx: PostCtx) -> str:
    r = rng.random()
    if r < 0.25:
        obj = {
            "time": f"2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T0{rng.randint(0, 9)}:{rng.randint(10, 59)}:{rng.randint(10, 59)}Z",
            "level": rng.choice(["info", "warn", "error"]), "service": ctx.svc, "namespace": ctx.ns,
            "msg": rng.choice(["request served", "upstream timeout", "retrying", "cache miss"]),
            "status": rng.choice([200, 200, 499, 502, 503]), "latency_ms": rng.randint(3, 2500),
            "trace_id": "%032x" % rng.getrandbits(128),
        }
    elif r < 0.5:
        obj = {
            "title": f"{ctx.svc} overview", "uid": "%08x" % rng.getrandbits(32), "refresh": rng.choice(["30s", "1m"]),
            "panels": [
                {"type": "timeseries", "title": t, "targets": [{"expr": e, "refId": ref}]}
                for (t, e), ref in zip(rng.sample([
                    ("Request rate", f'sum(rate(http_requests_total{{service="{ctx.svc}"}}[5m]))'),
                    ("Errors", f'sum(rate(http_requests_total{{service="{ctx.svc}",code=~"5.."}}[5m]))'),
                    ("p99 latency", f'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{service="{ctx.svc}"}}[5m])))'),
                    ("Memory", f'sum(container_memory_working_set_bytes{{namespace="{ctx.ns}"}})'),
                ], rng.randint(2, 4)), "ABCD")
            ],
        }
    elif r < 0.75:
        obj = {
            "$schema": "https://docs.renovatebot.com/renovate-schema.json",
            "extends": ["config:recommended"],
            "schedule": [rng.choice(["before 6am on monday", "every weekend"])],
            "packageRules": [
                {"matchUpdateTypes": ["minor", "patch"], "automerge": True},
                {"matchPackageNames": [rng.choice(["kubernetes", "helm", "golang"])], "groupName": "platform"},
            ],
            "prConcurrentLimit": rng.choice([3, 5, 10]),
        }
    else:
        obj = {
            "apiVersion": "v1", "kind": "Status", "status": "Failure",
            "message": f'deployments.apps "{ctx.svc}" is forbidden: User "system:serviceaccount:{ctx.ns}:ci" cannot patch resource',
            "reason": "Forbidden",
            "details": {"name": ctx.svc, "group": "apps", "kind": "deployments"},
            "code": 403,
        }
    return json.dumps(obj, indent=2) + "\n"


TOML_TEMPLATES = [
    '''[server]
listen = "0.0.0.0:@port@"
read_timeout = "@t1@s"
write_timeout = "@t2@s"

[database]
url = "@dburl@"
max_connections = @n2@
statement_timeout_ms = @ms@

[features]
enabled = [@flags@]
''',
    '''[project]
name = "@svc@-tools"
version = "0.@n@.0"
requires-python = ">=3.11"
dependencies = [
  "httpx>=0.27",
  "pyyaml>=6.0",
]

[project.scripts]
@svc_us@ = "@svc_us@.cli:main"

[tool.ruff]
line-length = @ll@
''',
    '''version = 2

[plugins."io.containerd.grpc.v1.cri"]
sandbox_image = "registry.k8s.io/pause:3.10"

[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
endpoint = ["https://mirror.example.org", "https://registry-1.docker.io"]
''',
    '''title = "@svc@ runbook"
owner = "@team@"
severity = "@sev@"

[[checks]]
name = "rollout"
command = "kubectl -n @ns@ rollout status deploy/@svc@"
timeout_seconds = @t2@

[[checks]]
name = "health"
command = "curl -fsS http://@svc@.@ns@.svc.cluster.local/healthz"
timeout_seconds = @t1@
''',
]


def gen_toml(rng: random.Random, ctx: PostCtx) -> str:
    flags = ", ".join(json.dumps(f) for f in rng.sample(["new-checkout", "fast-search", "async-export", "beta-ui", "strict-auth"], 2))
    return sub(rng.choice(TOML_TEMPLATES), svc=ctx.svc, svc_us=ctx.svc.replace("-", "_"), port=ctx.port, ns=ctx.ns,
               team=ctx.team, t1=rng.choice([5, 10, 15]), t2=rng.choice([30, 60, 120]), n=rng.randint(1, 9),
               n2=rng.choice([10, 20, 50]), ms=rng.choice([500, 1000, 5000]), db=ctx.svc.split("-")[0],
               dburl=f"postgres://{ctx.svc.replace('-', '_')}@db.{ctx.ns}.svc:5432/{ctx.svc.split('-')[0]}",
               flags=flags, ll=rng.choice([88, 100, 120]), sev=rng.choice(["page", "ticket"]))


DOCKERFILES = [
    '''# syntax=docker/dockerfile:1
FROM golang:@gover@ AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \\
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/@svc@ ./cmd/@svc@

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/@svc@ /usr/local/bin/@svc@
USER 65532:65532
EXPOSE @port@
ENTRYPOINT ["/usr/local/bin/@svc@"]
''',
    '''FROM python:@pyver@-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY src/ ./src/
RUN useradd --system --uid 10001 app
USER app
EXPOSE @port@
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:@port@/healthz')"]
CMD ["python", "-m", "src.@svc_us@"]
''',
    '''FROM node:@nodever@-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:@nodever@-alpine
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY . .
USER node
EXPOSE @port@
CMD ["node", "server.js"]
''',
    '''FROM debian:bookworm-slim
ARG VERSION=@ver@
LABEL org.opencontainers.image.source="https://git.example.org/@team@/@svc@" \\
      org.opencontainers.image.version="${VERSION}"
RUN apt-get update \\
    && apt-get install -y --no-install-recommends ca-certificates curl \\
    && rm -rf /var/lib/apt/lists/*
COPY bin/@svc@ /usr/local/bin/@svc@
USER 1000:1000
ENTRYPOINT ["/usr/local/bin/@svc@", "--port=@port@"]
''',
]


def gen_dockerfile(rng: random.Random, ctx: PostCtx) -> str:
    return sub(rng.choice(DOCKERFILES), svc=ctx.svc, svc_us=ctx.svc.replace("-", "_"), port=ctx.port,
               team=ctx.team, ver=ctx.version, gover=rng.choice(["1.23", "1.24", "1.25"]),
               pyver=rng.choice(["3.11", "3.12", "3.13"]), nodever=rng.choice(["20", "22", "24"]))


PY_PROGRAMS = [
    '''import json
import subprocess
import sys


def unready_pods(namespace: str) -> list[str]:
    out = subprocess.run(
        ["kubectl", "get", "pods", "-n", namespace, "-o", "json"],
        check=True, capture_output=True, text=True,
    ).stdout
    pods = json.loads(out)["items"]
    bad = []
    for pod in pods:
        statuses = pod["status"].get("containerStatuses", [])
        if not all(s.get("ready") for s in statuses):
            bad.append(pod["metadata"]["name"])
    return bad


if __name__ == "__main__":
    names = unready_pods(sys.argv[1] if len(sys.argv) > 1 else "@ns@")
    print("\\n".join(names) or "all pods ready")
    sys.exit(1 if len(names) > @n@ else 0)
''',
    '''import json
import urllib.parse
import urllib.request

PROMETHEUS = "http://prometheus.observability.svc:9090"
QUERY = 'sum(rate(http_requests_total{service="@svc@",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="@svc@"}[5m]))'


def error_ratio() -> float:
    url = PROMETHEUS + "/api/v1/query?" + urllib.parse.urlencode({"query": QUERY})
    with urllib.request.urlopen(url, timeout=@t1@) as resp:
        data = json.load(resp)
    result = data["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0


if __name__ == "__main__":
    ratio = error_ratio()
    print(f"error ratio: {ratio:.4%}")
    if ratio > 0.0@n@:
        raise SystemExit("error budget burning too fast")
''',
    '''import collections
import re
import sys

LINE = re.compile(r'status=(?P<status>\\d{3}) .*latency_ms=(?P<ms>\\d+)')


def summarize(lines):
    codes = collections.Counter()
    slow = 0
    for line in lines:
        m = LINE.search(line)
        if not m:
            continue
        codes[m["status"]] += 1
        if int(m["ms"]) > @ms@:
            slow += 1
    return codes, slow


if __name__ == "__main__":
    codes, slow = summarize(sys.stdin)
    for code, count in sorted(codes.items()):
        print(code, count)
    print("slower than @ms@ ms:", slow)
''',
    '''from dataclasses import dataclass, field
import os


@dataclass
class Settings:
    service: str = "@svc@"
    namespace: str = "@ns@"
    replicas: int = @n@
    timeout_s: float = @t1@.0
    labels: dict[str, str] = field(default_factory=lambda: {"team": "@team@"})

    @classmethod
    def from_env(cls) -> "Settings":
        s = cls()
        s.replicas = int(os.environ.get("REPLICAS", s.replicas))
        s.timeout_s = float(os.environ.get("TIMEOUT_S", s.timeout_s))
        return s


if __name__ == "__main__":
    print(Settings.from_env())
''',
    '''import datetime as dt
import pathlib

RETENTION_DAYS = @ret@


def expired(root: pathlib.Path, now: dt.datetime) -> list[pathlib.Path]:
    cutoff = now - dt.timedelta(days=RETENTION_DAYS)
    old = []
    for path in sorted(root.glob("@svc@-*.tar.gz")):
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)
        if mtime < cutoff:
            old.append(path)
    return old


if __name__ == "__main__":
    for p in expired(pathlib.Path("/backups"), dt.datetime.now(dt.timezone.utc)):
        print("would delete", p)
''',
]


def gen_python(rng: random.Random, ctx: PostCtx) -> str:
    return sub(rng.choice(PY_PROGRAMS), svc=ctx.svc, ns=ctx.ns, team=ctx.team, n=rng.randint(1, 5),
               t1=rng.choice([5, 10, 15]), ms=rng.choice([250, 500, 1000, 2000]), ret=rng.choice([7, 14, 30, 90]))


GENERATORS = {
    "yaml": gen_yaml, "bash": gen_bash, "go": gen_go, "json": gen_json,
    "toml": gen_toml, "dockerfile": gen_dockerfile, "python": gen_python,
}
LANG_WEIGHTS = [("yaml", 30), ("bash", 20), ("go", 12), ("json", 10), ("toml", 9), ("dockerfile", 9), ("python", 10)]


def gen_svg(rng: random.Random, title: str, labels: list[str]) -> str:
    bg, fg, accent = rng.choice([("#f6f8fa", "#1f2328", "#0969da"), ("#fff8f0", "#2d2a26", "#b35900"),
                                 ("#f0f7f4", "#1c2b24", "#1a7f4b"), ("#f4f2fb", "#26223a", "#6639ba")])
    n = len(labels)
    w = 560 // n
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360" width="640" height="360" role="img">',
        f"<title>{_xml(title)}</title>",
        f'<rect x="0" y="0" width="640" height="360" fill="{bg}"/>',
        f'<text x="40" y="60" font-family="system-ui, sans-serif" font-size="22" fill="{fg}">{_xml(title[:48])}</text>',
    ]
    y = rng.choice([150, 170, 190])
    for i, lab in enumerate(labels):
        x = 40 + i * w
        parts.append(f'<rect x="{x}" y="{y}" width="{w - 30}" height="70" rx="8" fill="none" stroke="{accent}" stroke-width="2"/>')
        parts.append(f'<text x="{x + 10}" y="{y + 42}" font-family="system-ui, sans-serif" font-size="14" fill="{fg}">{_xml(lab[:16])}</text>')
        if i < n - 1:
            ax = x + w - 30
            parts.append(f'<path d="M{ax} {y + 35} L{ax + 26} {y + 35}" stroke="{fg}" stroke-width="2" fill="none"/>')
            parts.append(f'<path d="M{ax + 20} {y + 30} L{ax + 26} {y + 35} L{ax + 20} {y + 40}" stroke="{fg}" stroke-width="2" fill="none"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _xml(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# ---------------------------------------------------------------------------
# Posts
# ---------------------------------------------------------------------------

LINK_MARK = "\x00LINK:"  # followed by the target index and "\x00"; replaced per tool
MORE_MARK = "\x00MORE\x00"  # summary divider: galley `<!-- more -->`, Hugo `<!--more-->` (Hugo wants no spaces)


@dataclass
class PostMeta:
    idx: int
    slug: str
    title: str
    description: str
    date: str
    tags: list[str]
    bundle: bool
    focus: dict


@dataclass
class Post:
    meta: PostMeta
    body: str              # Markdown with LINK_MARK placeholders
    files: dict[str, str]  # bundle files (name -> text)
    words: int
    langs: list[str]


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string here


def plan_posts(n: int, seed: int) -> list[PostMeta]:
    rng = random.Random(f"galley-bench:{seed}:plan")
    tag_order = TAGS[:]
    rng.shuffle(tag_order)
    tag_weights = [1.0 / (i + 1) ** 0.7 for i in range(len(tag_order))]
    start = dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc)
    span_minutes = 3 * 365 * 24 * 60
    # Exactly 10% of the posts (rounded) are page bundles.
    bundles = set(rng.sample(range(1, n + 1), round(n * 0.10)))
    metas = []
    for i in range(1, n + 1):
        prng = random.Random(f"galley-bench:{seed}:meta:{i}")
        ctx = PostCtx(i, "x", "x", "x", 0, "0")
        focus = {"tool": prng.choice(W["tool"]), "topic": prng.choice(W["topic"])}
        f = Filler(prng, ctx, focus)
        title = ""
        for _ in range(20):
            title = f.fill(prng.choice(TITLES))
            if len(title) <= 70:
                break
        else:
            title = title[:70].rstrip()
        desc = f.fill(prng.choice(DESCRIPTIONS))
        if len(desc) > 158:
            desc = desc[:155].rstrip() + "..."
        ntags = prng.randint(2, 5)
        tags: list[str] = []
        while len(tags) < ntags:
            t = prng.choices(tag_order, weights=tag_weights)[0]
            if t not in tags:
                tags.append(t)
        when = start + dt.timedelta(minutes=prng.randrange(span_minutes))
        metas.append(PostMeta(
            idx=i, slug=f"post-{i:05d}", title=title, description=desc,
            date=when.strftime("%Y-%m-%dT%H:%M:00Z"), tags=tags, bundle=i in bundles, focus=focus,
        ))
    return metas


def make_post(meta: PostMeta, metas: list[PostMeta], seed: int) -> Post:
    rng = random.Random(f"galley-bench:{seed}:post:{meta.idx}")
    n = len(metas)
    svc = f"{rng.choice(SVC_A)}-{rng.choice(SVC_B)}"
    ctx = PostCtx(
        idx=meta.idx, svc=svc, ns=rng.choice(NAMESPACES), team=rng.choice(TEAMS_SHORT),
        port=rng.choice([8080, 8000, 9000, 3000, 8443, 7070]),
        version=f"{rng.randint(1, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
        svcs=[svc] + [f"{rng.choice(SVC_A)}-{rng.choice(SVC_B)}" for _ in range(2)],
    )
    f = Filler(rng, ctx, meta.focus)
    target = rng.randint(300, 2400)
    short = target < 700
    max_blocks = max(2, min(6, target // 130))
    nblocks = rng.randint(2, max_blocks)
    langs = rng.choices([l for l, _ in LANG_WEIGHTS], weights=[w for _, w in LANG_WEIGHTS], k=nblocks)
    nlinks = rng.randint(1, 4) if n > 1 else 0
    link_targets = []
    while len(link_targets) < nlinks:
        j = rng.randint(1, n)
        if j != meta.idx and j not in link_targets:
            link_targets.append(j)

    def para(k_min=3, k_max=6) -> str:
        return " ".join(f.fill(f.draw(SENTENCES)) for _ in range(rng.randint(k_min, k_max)))

    def link_sentence(j: int) -> str:
        tpl = rng.choice(LINK_SENTENCES)
        t = metas[j - 1].title.replace("[", "(").replace("]", ")")
        return tpl.replace("{linktitle}", t).replace("{linkurl}", f"{LINK_MARK}{j}\x00")

    blocks: list[str] = []  # Markdown blocks, joined with blank lines
    blocks.append(" ".join(f.fill(t) for t in rng.sample(INTRO_SENTENCES, 2)) + " " + para(1, 3))
    blocks.append(MORE_MARK)
    files: dict[str, str] = {}
    if meta.bundle:
        files["cover.svg"] = gen_svg(rng, meta.title, rng.sample(W["tool"], rng.randint(3, 4)))
        files["manifest.yaml"] = ydump(k8s_deployment(rng, ctx))
        blocks.append("![Architecture overview](cover.svg)")
        blocks.append(f"The complete manifest is attached to this post: [manifest.yaml](manifest.yaml). " + para(1, 2))

    # Sections: a plan of elements to place, then prose until the word target is met.
    nsections = 2 if short else min(8, target // 280 + rng.randint(0, 1))
    elements: list[tuple[str, object]] = [("code", l) for l in langs]
    elements.append(("table", None))
    elements += [("ul", None)] * (1 if short else rng.randint(1, 2))
    if not short and rng.random() < 0.6:
        elements.append(("ol", None))
    elements += [("link", j) for j in link_targets]
    rng.shuffle(elements)
    per_section: list[list] = [[] for _ in range(nsections)]
    for k, el in enumerate(elements):
        per_section[k % nsections].append(el)

    used_headings: set[str] = set()

    def heading(level: int) -> str:
        pool = HEADINGS_H2 if level == 2 else HEADINGS_H3
        h = ""
        for _ in range(10):
            h = f.fill(rng.choice(pool))
            if h.lower() not in used_headings:
                break
        else:
            h = f"{h} ({len(used_headings) + 1})"
        used_headings.add(h.lower())
        return "#" * level + " " + h

    def render_el(kind: str, arg) -> list[str]:
        if kind == "code":
            lang = arg
            code = GENERATORS[lang](rng, ctx)
            return [rng.choice(CODE_LEADS[lang]), f"```{lang}\n{code}```"]
        if kind == "table":
            return [f.fill("The comparison we used, from {env}:"), make_table(rng, f)]
        if kind == "ul":
            items = rng.sample(LIST_ITEMS, 3 if short else rng.randint(3, 6))
            return [f.fill("What we keep in mind for {topic}:"), "\n".join("- " + f.fill(t) for t in items)]
        if kind == "ol":
            items = [STEP_ITEMS[k] for k in sorted(rng.sample(range(len(STEP_ITEMS)), rng.randint(3, 6)))]
            return ["The procedure, step by step:", "\n".join(f"{i}. {f.fill(t)}" for i, t in enumerate(items, 1))]
        if kind == "link":
            return [para(1, 3) + " " + link_sentence(arg)]
        raise ValueError(kind)

    def count(bs: list[str]) -> int:
        return sum(len(b.split()) for b in bs)

    sections: list[list[str]] = []
    for s in range(nsections):
        sec = [heading(2), para(1, 2) if short else para()]
        for k, (kind, arg) in enumerate(per_section[s]):
            if k > 0 and rng.random() < 0.35:
                sec.append(heading(3))
            sec += render_el(kind, arg)
        sections.append(sec)
    # Grow prose until the target word count is reached (round-robin over sections).
    total = count(blocks) + sum(count(s) for s in sections)
    s = 0
    while total < target:
        p = para(1, 3) if short else para()
        pos = rng.randint(2, len(sections[s]))
        sections[s].insert(pos, p)
        total += len(p.split())
        s = (s + 1) % nsections
    for sec in sections:
        blocks.extend(sec)
    body = "\n\n".join(blocks) + "\n"
    return Post(meta=meta, body=body, files=files, words=total, langs=langs)


def make_table(rng: random.Random, f: Filler) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        tools = rng.sample(W["tool"], rng.randint(3, 5))
        rows = ["| Option | p99 latency | Monthly cost | Operational load |", "| --- | ---: | ---: | --- |"]
        for t in tools:
            rows.append(f"| {t} | {rng.randint(4, 900)} ms | ${rng.randint(40, 4000)} | {rng.choice(['low', 'medium', 'high'])} |")
    elif kind == 1:
        fields = rng.sample(W["field"], rng.randint(3, 5))
        rows = ["| Field | Default | What we use | Why |", "| --- | --- | --- | --- |"]
        for fl in fields:
            rows.append(f"| `{fl}` | {rng.choice(['unset', '1', '25%', '30', 'none', 'false'])} | {rng.choice(['2', '0', '10', '60', 'true', '50%'])} | {f.fill(rng.choice(['{Practice}', 'Avoids {failure}', 'Keeps {metric} stable']))} |")
    else:
        rows = ["| Signal | Threshold | Window | Action |", "| --- | ---: | --- | --- |"]
        for m in rng.sample(W["metric"], rng.randint(3, 5)):
            rows.append(f"| {_cap(m)} | {rng.randint(1, 99)}{rng.choice(['%', ' ms', 's', ''])} | {rng.choice(['5m', '30m', '1h', '6h'])} | {rng.choice(['page', 'ticket', 'dashboard only'])} |")
    return "\n".join(rows)


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def galley_link(meta: PostMeta) -> str:
    return f"@/blog/{meta.slug}/index.md" if meta.bundle else f"@/blog/{meta.slug}.md"


def hugo_link(meta: PostMeta, style: str) -> str:
    if style == "ref":
        return '{{< ref "' + (f"posts/{meta.slug}/index.md" if meta.bundle else f"posts/{meta.slug}.md") + '" >}}'
    return f"/posts/{meta.slug}/"


_LINK_RE = re.compile("\x00LINK:(\\d+)\x00")


def galley_front_matter(m: PostMeta) -> str:
    lines = ["+++", f"title = {_toml_str(m.title)}", f"description = {_toml_str(m.description)}", f"date = {m.date}"]
    if m.bundle:
        lines.append('image = "cover.svg"')
    lines += ["", "[taxonomies]", "tags = [" + ", ".join(_toml_str(t) for t in m.tags) + "]", "+++", ""]
    return "\n".join(lines)


def hugo_front_matter(m: PostMeta) -> str:
    lines = ["+++", f"title = {_toml_str(m.title)}", f"description = {_toml_str(m.description)}", f"date = {m.date}"]
    if m.bundle:
        lines.append('image = "cover.svg"')
    lines += ["tags = [" + ", ".join(_toml_str(t) for t in m.tags) + "]", "+++", ""]
    return "\n".join(lines)


def write_site(out: str, n: int, seed: int, hugo: bool, hugo_links: str = "plain", quiet: bool = False) -> dict:
    metas = plan_posts(n, seed)
    galley_dir = os.path.join(out, "galley")
    hugo_dir = os.path.join(out, "hugo")
    for d in [galley_dir] + ([hugo_dir] if hugo else []):
        if os.path.exists(d):
            shutil.rmtree(d)

    _write(os.path.join(galley_dir, "site.toml"), galley_site_toml())
    _write(os.path.join(galley_dir, "content", "_index.md"), galley_root_index())
    _write(os.path.join(galley_dir, "content", "blog", "_index.md"), galley_blog_index())
    for name in sorted(GALLEY_TEMPLATES):
        _write(os.path.join(galley_dir, "templates", name), GALLEY_TEMPLATES[name])
    if hugo:
        _write(os.path.join(hugo_dir, "hugo.toml"), hugo_config_toml())
        _write(os.path.join(hugo_dir, "content", "_index.md"), hugo_root_index())
        _write(os.path.join(hugo_dir, "content", "posts", "_index.md"), hugo_posts_index())
        for name in sorted(HUGO_LAYOUTS):
            _write(os.path.join(hugo_dir, "layouts", name), HUGO_LAYOUTS[name])

    stats = {"posts": n, "seed": seed, "bundles": 0, "words": 0, "code_blocks": 0, "langs": {}, "min_words": None, "max_words": 0}
    for m in metas:
        post = make_post(m, metas, seed)
        stats["bundles"] += m.bundle
        stats["words"] += post.words
        stats["code_blocks"] += len(post.langs)
        stats["min_words"] = post.words if stats["min_words"] is None else min(stats["min_words"], post.words)
        stats["max_words"] = max(stats["max_words"], post.words)
        for l in post.langs:
            stats["langs"][l] = stats["langs"].get(l, 0) + 1
        gbody = _LINK_RE.sub(lambda mm: galley_link(metas[int(mm.group(1)) - 1]), post.body)
        gbody = gbody.replace(MORE_MARK, "<!-- more -->")
        rel = os.path.join(m.slug, "index.md") if m.bundle else m.slug + ".md"
        _write(os.path.join(galley_dir, "content", "blog", rel), galley_front_matter(m) + "\n" + gbody)
        for name in sorted(post.files):
            _write(os.path.join(galley_dir, "content", "blog", m.slug, name), post.files[name])
        if hugo:
            hbody = _LINK_RE.sub(lambda mm: hugo_link(metas[int(mm.group(1)) - 1], hugo_links), post.body)
            hbody = hbody.replace(MORE_MARK, "<!--more-->")
            _write(os.path.join(hugo_dir, "content", "posts", rel), hugo_front_matter(m) + "\n" + hbody)
            for name in sorted(post.files):
                _write(os.path.join(hugo_dir, "content", "posts", m.slug, name), post.files[name])
        if not quiet and m.idx % 1000 == 0:
            print(f"  {m.idx}/{n} posts", file=sys.stderr)
    stats["langs"] = dict(sorted(stats["langs"].items()))
    stats["tags_used"] = len({t for m in metas for t in m.tags})
    return stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, required=True, help="number of posts (N)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True, help="output directory (OUT/galley, OUT/hugo)")
    ap.add_argument("--hugo", action="store_true", help="also write the Hugo site in OUT/hugo")
    ap.add_argument("--hugo-links", choices=["plain", "ref"], default="plain",
                    help="internal links on the Hugo side: plain URLs (/posts/post-00042/, default) "
                         "or the ref shortcode (checked by Hugo, slower)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.posts < 1:
        ap.error("--posts must be >= 1")
    stats = write_site(args.out, args.posts, args.seed, args.hugo, args.hugo_links, args.quiet)
    if not args.quiet:
        print(json.dumps(stats, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
