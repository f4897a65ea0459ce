#!/usr/bin/env python3
"""Draws the bundled blog's cover images: content/blog/<post>/cover.png, 640x360.

One small diagram per post, in one palette: a dark slate card, the post's track colour for the
shapes (the same hues as the theme's [data-track] edges), light text. PNG rather than SVG
because social cards (og:image) do not render SVG. Each post's `[extra] image_alt` describes
what its diagram shows; keep the two in step when you change a diagram here.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pillow
    /tmp/venv/bin/python scripts/covers.py        # rewrites every cover.png
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

W, H = 640, 360
BG, PANEL, TEXT, MUTED = "#111b27", "#172434", "#e3eaf2", "#a2b2c4"
# Lighter versions of the theme's track hues: shapes on a dark card need more light.
TRACKS = {
    "Observability": "#f28b4b",
    "Security": "#f2766b",
    "CI/CD": "#6aa7f5",
    "GitOps Delivery": "#5fd0d6",
    "Data": "#b596f2",
    "Kubernetes Operations": "#7fa8e0",
    "Platform Engineering": "#6fcf8a",
}
FONTS = Path("/usr/share/fonts/truetype/dejavu")
BOLD = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 17)
REGULAR = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 15)
LABEL = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 14)


def box(d, x, y, w, h, text, hue, filled=False):
    d.rounded_rectangle((x, y, x + w, y + h), 10, fill=hue if filled else PANEL, outline=hue, width=2)
    lines = text.split("\n")
    font = BOLD if len(lines) == 1 else REGULAR
    total = sum(d.textbbox((0, 0), line, font=font)[3] for line in lines) + 4 * (len(lines) - 1)
    ty = y + (h - total) / 2
    for line in lines:
        bbox = d.textbbox((0, 0), line, font=font)
        d.text((x + (w - bbox[2]) / 2, ty), line, font=font, fill=BG if filled else TEXT)
        ty += bbox[3] + 4


def arrow(d, x1, y1, x2, y2, colour=MUTED):
    d.line((x1, y1, x2, y2), fill=colour, width=3)
    # A head pointing along the line.
    import math

    angle = math.atan2(y2 - y1, x2 - x1)
    for side in (-0.45, 0.45):
        d.line((x2, y2, x2 - 11 * math.cos(angle + side), y2 - 11 * math.sin(angle + side)), fill=colour, width=3)


def flow(d, hue, labels):
    """Boxes left to right, joined by arrows; the last one filled (where the flow ends)."""
    n = len(labels)
    gap = 34
    w = (W - 64 - gap * (n - 1)) / n
    for i, label in enumerate(labels):
        x = 32 + i * (w + gap)
        box(d, x, 140, w, 96, label, hue, filled=i == n - 1)
        if i:
            arrow(d, x - gap + 6, 188, x - 6, 188)


def fan(d, hue, source, targets):
    """One box on the left feeding several on the right."""
    box(d, 40, 150, 190, 84, source, hue, filled=True)
    n = len(targets)
    h = min(70, (200 - 14 * (n - 1)) / n)
    top = 192 - (n * h + 14 * (n - 1)) / 2
    for i, target in enumerate(targets):
        y = top + i * (h + 14)
        box(d, 380, y, 220, h, target, hue)
        arrow(d, 236, 192, 372, y + h / 2)


def stack(d, hue, layers):
    """Layers from top to bottom, the first filled."""
    n = len(layers)
    h = (220 - 10 * (n - 1)) / n
    for i, layer in enumerate(layers):
        inset = i * 18
        box(d, 80 + inset, 108 + i * (h + 10), W - 160 - 2 * inset, h, layer, hue, filled=i == 0)


def tiles(d, hue, labels):
    """Equal tiles side by side: things compared, none first."""
    n = len(labels)
    gap = 18
    w = (W - 64 - gap * (n - 1)) / n
    for i, label in enumerate(labels):
        box(d, 32 + i * (w + gap), 128, w, 120, label, hue, filled=i % 2 == 0)


def hub(d, hue, centre, spokes):
    """A centre joined to the boxes around it."""
    cx, cy = W / 2, 200
    places = [(40, 100), (W - 220, 100), (40, 260), (W - 220, 260)][: len(spokes)]
    for (x, y), spoke in zip(places, spokes):
        d.line((cx, cy, x + 90, y + 30), fill=MUTED, width=3)
        box(d, x, y, 180, 60, spoke, hue)
    box(d, cx - 90, cy - 34, 180, 68, centre, hue, filled=True)


def timeline(d, hue, spans):
    """A trace waterfall: each span (label, start, length) on its own row, times in 0..1."""
    left, right = 190, W - 40
    d.line((left, 322, right, 322), fill=MUTED, width=2)
    for i, (label, start, length) in enumerate(spans):
        y = 108 + i * 40
        d.text((32, y + 4), label, font=REGULAR, fill=TEXT)
        x1 = left + start * (right - left)
        d.rounded_rectangle((x1, y, x1 + length * (right - left), y + 26), 6, fill=hue if i == 0 else PANEL, outline=hue, width=2)


def zones(d, hue, names, pods):
    """Zones side by side, each with its nodes' pods: pods[i] is the pod count of zone i."""
    n = len(names)
    gap = 20
    w = (W - 64 - gap * (n - 1)) / n
    for i, name in enumerate(names):
        x = 32 + i * (w + gap)
        d.rounded_rectangle((x, 104, x + w, 328), 12, outline=MUTED, width=2)
        d.text((x + 14, 114), name, font=LABEL, fill=MUTED)
        for p in range(pods[i]):
            py = 150 + p * 56
            box(d, x + 20, py, w - 40, 42, "pod", hue, filled=True)


POSTS = {
    "canary-progressive-delivery": (fan, ["Gateway\nHTTPRoute", ["stable\n90% of requests", "canary\n10%, analysed"]]),
    "choosing-a-gitops-tool": (fan, ["Git\ndesired state", ["Argo CD", "Flux", "push-based CI"]]),
    "database-strategy-kubernetes": (stack, [["managed service", "operator: CloudNativePG", "StatefulSet by hand"]]),
    "distributed-tracing-in-practice": (timeline, [[("checkout", 0, 1), ("cart", 0.05, 0.3), ("payment", 0.38, 0.5), ("fraud", 0.42, 0.2), ("db query", 0.66, 0.18)]]),
    "dns-troubleshooting": (flow, [["pod", "5 search\ndomains", "CoreDNS", "answer"]]),
    "flux-delivery-git-oci": (flow, [["Git commit", "OCI artifact\nsigned", "digest\npromoted", "cluster"]]),
    "flux-vs-argocd-architecture": (tiles, [["Flux\ncontrollers\nper concern", "Argo CD\napplication\ncontroller"]]),
    "gatekeeper-policy-as-code": (flow, [["kubectl\napply", "admission\nwebhook", "Rego\npolicy", "allow\nor deny"]]),
    "github-actions-reference-pipeline": (flow, [["test", "lint", "build", "release\nv1.4.0"]]),
    "kubernetes-backups": (stack, [["application dumps", "volume snapshots", "API objects (Velero)", "etcd snapshot"]]),
    "linux-performance-tuning": (flow, [["measure", "change\none thing", "measure\nagain"]]),
    "long-term-metrics-storage": (fan, ["Prometheus\nremote write", ["Thanos", "Grafana Mimir", "VictoriaMetrics"]]),
    "managed-vs-self-managed-kubernetes": (tiles, [["managed\ncontrol plane\nby the provider", "self-managed\nkubeadm, Talos,\nk3s"]]),
    "mcp-server-patterns": (flow, [["AI agent", "MCP server\nread-only", "scoped\ntoken", "cluster\nAPI"]]),
    "metrics-logs-traces-events": (tiles, [["metrics", "logs", "traces", "events"]]),
    "minikube-networking": (flow, [["host", "minikube\nVM", "Service", "pod"]]),
    "multi-arch-images-buildx": (fan, ["manifest list\none tag", ["linux/amd64", "linux/arm64"]]),
    "multi-cluster-kubernetes": (hub, ["fleet", ["prod-eu", "prod-us", "staging", "tools"]]),
    "oauth2-vs-oidc": (flow, [["kubectl", "OIDC\nprovider", "ID token", "API\nserver"]]),
    "pgbouncer-connection-pooling": (flow, [["200 clients", "PgBouncer", "20 server\nconnections", "PostgreSQL"]]),
    "pod-affinity-anti-affinity": (zones, [["zone a", "zone b", "zone c"], [2, 2, 2]]),
    "prometheus-and-opentelemetry": (flow, [["app\nOTel SDK", "Collector", "Prometheus", "Grafana"]]),
    "prometheus-grafana-stack": (flow, [["targets", "Prometheus", "Alertmanager", "Grafana"]]),
    "secret-management-patterns": (flow, [["Vault", "CSI driver", "file in\ntmpfs", "app"]]),
    "tekton-pipelines": (flow, [["push\nwebhook", "Pipeline\nRun", "Tasks", "Step\npods"]]),
}


def track_of(index: Path) -> str:
    for line in index.read_text().splitlines():
        if line.startswith("tracks = "):
            return line.split('"')[1]
    raise SystemExit(f"{index}: no track")


def main():
    blog = Path(__file__).resolve().parent.parent / "content" / "blog"
    for slug, (draw, args) in sorted(POSTS.items()):
        index = blog / slug / "index.md"
        track = track_of(index)
        hue = TRACKS[track]
        image = Image.new("RGB", (W, H), BG)
        d = ImageDraw.Draw(image)
        d.rectangle((0, H - 8, W, H), fill=hue)
        d.text((32, 34), track.upper(), font=LABEL, fill=hue)
        draw(d, hue, *args)
        # A 64-colour palette keeps each file small without visible banding on flat shapes.
        image.quantize(64).save(blog / slug / "cover.png", optimize=True)
        print(f"{slug}/cover.png")


if __name__ == "__main__":
    main()
