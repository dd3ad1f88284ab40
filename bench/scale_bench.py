#!/usr/bin/env python3
"""Helpers of bench/scale.sh (run inside the cluster's network namespace; stdlib + PyYAML, and cluster_bench.Api).

  snapshot NS OUT                 every MinimalImage of NS: resourceVersion, generation, status, Ready (JSON)
  compare BEFORE AFTER            what changed between two snapshots (JSON on stdout)
  settle URL N QUIET TIMEOUT OUT  poll /q/metrics every 0.5 s until the JOSDK reconcile counters have started at least
                                  N reconciles, no reconcile is executing or queued, and nothing moved for QUIET s
  rss CONTAINER_ID                VmRSS (KiB) of the largest host process in that container's cgroup
  report DIR                      the markdown table of DIR/figures.jsonl (one line per size and phase)
"""
import json, os, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_bench import Api, COUNTERS, paths, ready_of  # noqa: E402 - the same API access and counters

STARTED, SUCCESS = 'operator_sdk_reconciliations_started_total', 'operator_sdk_reconciliations_success_total'
BUSY = ('operator_sdk_reconciliations_executions_minimalimage', 'operator_sdk_reconciliations_queue_size_minimalimage')
OWN = ('minimalimage_builds_started_total', 'process_start_time_seconds')


def cmd_snapshot(ns, out):
    items = Api().req('GET', paths(ns)['mimg'], timeout=120)['items']
    snap = {}
    for o in items:
        c = ready_of(o) or {}
        snap[o['metadata']['name']] = {'rv': o['metadata']['resourceVersion'],
                                       'generation': o['metadata'].get('generation'),
                                       'status': o.get('status'), 'ready': c.get('status') == 'True'}
    json.dump(snap, open(out, 'w'))


def cmd_compare(before, after):
    a, b = json.load(open(before)), json.load(open(after))
    print(json.dumps({'resources': len(b), 'ready': sum(1 for v in b.values() if v['ready']),
                      'missing': len(set(a) - set(b)),
                      'status_changed': sum(1 for k in a if k in b and a[k]['status'] != b[k]['status']),
                      'generation_changed': sum(1 for k in a if k in b and a[k]['generation'] != b[k]['generation']),
                      'rv_changed': sum(1 for k in a if k in b and a[k]['rv'] != b[k]['rv'])}))


def scrape(url):
    """The reconcile counters summed over all series, the gauges, and the size of the answer in bytes."""
    with urllib.request.urlopen(url, timeout=20) as r:
        body = r.read()
    sums = {k: 0.0 for k in COUNTERS + BUSY + OWN}
    for line in body.decode().splitlines():
        if line.startswith('#') or not line.strip():
            continue
        name = line.split('{', 1)[0].split(' ', 1)[0]
        if name in sums:
            try:
                sums[name] += float(line.rsplit(' ', 1)[1])
            except ValueError:
                pass
    return sums, len(body)


def cmd_settle(url, n, quiet, timeout, out):
    n, quiet, deadline = int(n), float(quiet), time.time() + float(timeout)
    first_ok, last_val, last_change, sums, size = None, None, None, None, None
    while time.time() < deadline:
        t = time.time()
        try:
            sums, size = scrape(url)
        except Exception:  # noqa: BLE001 - not up yet (JVM starting, or no leader yet)
            time.sleep(0.5)
            continue
        first_ok = first_ok or t
        val = tuple(sums[k] for k in COUNTERS)
        busy = sum(sums[k] for k in BUSY)
        if val != last_val or busy > 0:
            last_val, last_change = val, t
        elif t - last_change >= quiet and sums[STARTED] >= n:
            json.dump({'first_scrape_ok': first_ok, 'last_change': last_change, 'settled_seen': t, 'sums': sums,
                       'metrics_bytes': size}, open(out, 'w'))
            return
        time.sleep(0.5)
    json.dump({'timeout': True, 'first_scrape_ok': first_ok, 'last_change': last_change, 'sums': sums,
               'metrics_bytes': size}, open(out, 'w'))
    sys.exit(1)


def cmd_rss(container_id):
    cid, best = container_id.split('://')[-1], 0
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            if cid not in open(f'/proc/{pid}/cgroup').read():
                continue
            for line in open(f'/proc/{pid}/status'):
                if line.startswith('VmRSS:'):
                    best = max(best, int(line.split()[1]))
        except OSError:
            continue
    print(best)


def cmd_report(d):
    rows = [json.loads(line) for line in open(os.path.join(d, 'figures.jsonl'))]
    sizes = sorted({r['n'] for r in rows})
    phases = [p for p in ('start', 'restart', 'upgrade') if any(r['phase'] == p for r in rows)]
    fig = {(r['n'], r['phase']): r for r in rows}

    def cell(r, key):
        v = r.get(key) if r else None
        if v is None:
            return '–'
        if isinstance(v, float):
            return f'{v:,.1f}' if key != 'per_resource' else f'{v:.2f}'
        return f'{v:,}' if isinstance(v, int) else str(v)
    labels = [('trigger_to_settled', 'settle: trigger → counters quiet (s)'),
              ('jvm_to_settled', 'settle: JVM start → counters quiet (s)'),
              ('jvm_to_leader', '  of which JVM start → leader (s)'),
              ('rss_mib', 'operator RSS after settling (MiB)'),
              ('rss_idle_mib', 'operator RSS idle, IDLE_AFTER s after settling (MiB)'),
              ('per_resource', 'reconciles started per resource'),
              ('metrics_bytes', '/q/metrics bytes after settling'),
              ('builder_pods', 'builder pods created'),
              ('builds_started', 'minimalimage_builds_started_total'),
              ('pushes', 'manifest PUTs to the registry'),
              ('configmaps_created', 'ConfigMaps created in the namespace'),
              ('ready', 'Ready after settling'),
              ('status_changed', 'statuses changed'),
              ('rv_changed', 'resourceVersions changed')]
    out = []
    for phase in phases:
        out.append(f'\n**{phase}** ({rows_note(phase)})\n')
        out.append('| figure | ' + ' | '.join(f'{n:,} resources' for n in sizes) + ' |')
        out.append('|---|' + '---:|' * len(sizes))
        for key, label in labels:
            out.append(f'| {label} | ' + ' | '.join(cell(fig.get((n, phase)), key) for n in sizes) + ' |')
    print('\n'.join(out))


def rows_note(phase):
    return {'start': 'operator scaled 0 → 1 after the restore: the first start that sees the restored resources',
            'restart': 'operator pod deleted; the Deployment starts a new one',
            'upgrade': 'helm upgrade of the release with another builder image tag (builder.image.tag)'}[phase]


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    {'snapshot': cmd_snapshot, 'compare': cmd_compare, 'settle': cmd_settle, 'rss': cmd_rss,
     'report': cmd_report}[cmd](*args)
