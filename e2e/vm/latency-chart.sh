#!/usr/bin/env bash
# Draws the latency (or demo) scenario's percentile curves (EEVDF and Jthulhu, one boot) as an SVG chart.
#   e2e/vm/latency-chart.sh <RESULT line or file holding one> > chart.svg
# Reads the load_curve_eevdf / load_curve_jthulhu keys ("p:us,p:us,..."); the y axis is logarithmic.
set -euo pipefail
src=${1:?usage: latency-chart.sh <RESULT line or file> > chart.svg}
[ -f "$src" ] && line=$(grep -aE 'RESULT scenario=(latency|demo) ' "$src" | tail -n 1) || line=$src
curve() { echo " $line" | tr ' ' '\n' | sed -n "s/^load_curve_$1=//p"; }
eevdf=$(curve eevdf) jthulhu=$(curve jthulhu)
[ -n "$eevdf" ] && [ -n "$jthulhu" ] || { echo "latency-chart: no load_curve_* keys in the input" >&2; exit 1; }
title=$(echo " $line" | tr ' ' '\n' | grep -E '^(p99_over_idle|p99_ratio_eevdf_over_jthulhu|batch_throughput_ratio)=' | paste -sd' ' -)
awk -v e="$eevdf" -v j="$jthulhu" -v title="$title" 'BEGIN {
  W = 640; H = 400; L = 70; R = 20; T = 40; B = 50
  n = split(e, ea, ","); m = split(j, ja, ",")
  lo = 1e9; hi = 0
  for (i = 1; i <= n; i++) { split(ea[i], kv, ":"); ep[i] = kv[1]; ev[i] = kv[2] + 0; if (ev[i] > 0 && ev[i] < lo) lo = ev[i]; if (ev[i] > hi) hi = ev[i] }
  for (i = 1; i <= m; i++) { split(ja[i], kv, ":"); jp[i] = kv[1]; jv[i] = kv[2] + 0; if (jv[i] > 0 && jv[i] < lo) lo = jv[i]; if (jv[i] > hi) hi = jv[i] }
  ylo = 10 ^ int(log(lo) / log(10)); yhi = 10 ^ (int(log(hi) / log(10)) + 1)
  printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H
  printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
  printf "<text x=\"%d\" y=\"20\" font-size=\"14\">Wake-up latency: LatencyCritical pod, 2x Batch load (TCG VM, one boot)</text>\n", L
  printf "<text x=\"%d\" y=\"34\" fill=\"#555\">%s</text>\n", L, title
  for (d = ylo; d <= yhi; d *= 10) {
    y = ypos(d, ylo, yhi, T, H - B)
    printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, y, W - R, y
    printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", L - 6, y + 4, (d >= 1000 ? d / 1000 " ms" : d " us")
  }
  for (p = 0; p <= 100; p += 10) {
    x = L + (W - L - R) * p / 100
    printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>\n", x, T, x, H - B
    printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">p%d</text>\n", x, H - B + 16, p
  }
  printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile of 1 ms probe wake-ups</text>\n", (W + L) / 2, H - 12
  path(ep, ev, n, "#d62728", ylo, yhi, W, L, R, T, H, B); path(jp, jv, m, "#1f77b4", ylo, yhi, W, L, R, T, H, B)
  printf "<text x=\"%d\" y=\"%d\" fill=\"#d62728\">EEVDF (kernel default)</text>\n", L + 10, T + 16
  printf "<text x=\"%d\" y=\"%d\" fill=\"#1f77b4\">Jthulhu, LatencyCritical policy</text>\n", L + 10, T + 32
  print "</svg>"
}
function ypos(v, ylo, yhi, top, bottom) { if (v < ylo) v = ylo; return bottom - (bottom - top) * (log(v) - log(ylo)) / (log(yhi) - log(ylo)) }
function path(ps, vs, k, color, ylo, yhi, W, L, R, T, H, B,   i, d) {
  d = ""
  for (i = 1; i <= k; i++) d = d sprintf("%s%.1f,%.1f ", (i == 1 ? "M" : "L"), L + (W - L - R) * ps[i] / 100, ypos(vs[i], ylo, yhi, T, H - B))
  printf "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", d, color
}'
