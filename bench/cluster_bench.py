#!/usr/bin/env python3
"""Helpers of bench/cluster.sh (run inside the cluster's network namespace; stdlib + PyYAML only).

  watch OUT NS [NS...]            stream pods, minimalimages and events of the namespaces as JSON lines, each with the
                                  host clock at receipt ("t", epoch seconds, µs) until SIGTERM
  create OUT NS PREFIX FIRST COUNT REPO KEEP PARALLEL
                                  POST COUNT MinimalImages (inline C hello, image REPO/PREFIX-i:1, insecure, no push
                                  secret, keepFinishedPods KEEP); OUT gets one line per POST: name, t_post, t_ack
  floor OUT NS NAME IMAGE TIMEOUT POST the floor pod NAME (bare compile of the example's inline $FLOOR_FILE, main.c by
                                  default, in IMAGE; command from $FLOOR_CC; $FLOOR_INIT=init: the file written by an
                                  init container first), append name, t_post, t_ack to OUT, wait until Succeeded
  example go OUT | example git OUT URL SECRET
                                  write the go step's MinimalImage (inline main.go, the Go preset) or the git step's
                                  (hello-c's program from spec.source.git URL, branch main, credentialsSecret SECRET)
  inline-file NAME                print the inline file NAME of $EXAMPLE
  cpu-snap OUT                    host CPU jiffies and every process's CPU ticks by owner (JSON), for cpu_between
  wait-ready NS NAMES_FILE TIMEOUT
                                  poll until every listed MinimalImage has Ready=True (exit 1 on timeout / Ready=False)
  regbytes REGISTRY REPO TAG      manifest + config + layers as the registry stores them (JSON on stdout)
  settle URL QUIET TIMEOUT OUT    poll /q/metrics every 0.5 s until the JOSDK reconcile counters stop moving for QUIET s
  report DIR                      markdown tables from DIR (written by cluster.sh)
"""
import base64, json, os, re, signal, ssl, statistics, sys, tempfile, threading, time, urllib.request, urllib.error

GROUP, VERSION, PLURAL = 'build.minimalimage.dev', 'v1alpha1', 'minimalimages'
HELLO_C = '#include <stdio.h>\nint main(void) { puts("hello from scratch"); return 0; }\n'
FLOOR_LABEL = 'bench.minimalimage.dev/floor'
# the go step's program: a small Go program of the standard library (fmt), no go.mod (GOPATH mode in the preset)
GO_HELLO = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello from scratch")\n}\n'
LAYOUTS = {'init': 'compile an init container, package after it (before issue 19 item 3)',
           'side': 'compile and package regular containers, started together (package awaits compile\'s exit code)',
           None: 'unknown (no pod status seen)'}


# ------------------------------------------------------------------------------------------------ API access
class Api:
    def __init__(self, kubeconfig=None):
        import yaml
        kc = yaml.safe_load(open(kubeconfig or os.environ['KUBECONFIG']))
        ctx = {c['name']: c['context'] for c in kc['contexts']}[kc['current-context']]
        cl = {c['name']: c['cluster'] for c in kc['clusters']}[ctx['cluster']]
        us = {u['name']: u['user'] for u in kc['users']}[ctx['user']]
        self.server = cl['server'].rstrip('/')
        self.tmp = tempfile.mkdtemp(prefix='mimg-bench-')
        def f(name, data):
            p = os.path.join(self.tmp, name)
            with open(p, 'wb') as fh:
                fh.write(base64.b64decode(data))
            return p
        self.ssl = ssl.create_default_context(cafile=f('ca', cl['certificate-authority-data']))
        self.ssl.load_cert_chain(f('crt', us['client-certificate-data']), f('key', us['client-key-data']))

    def req(self, method, path, body=None, timeout=60):
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request(self.server + path, data=data, method=method,
                                   headers={'Content-Type': 'application/json', 'Accept': 'application/json'})
        with urllib.request.urlopen(r, context=self.ssl, timeout=timeout) as resp:
            return json.loads(resp.read() or b'{}')

    def stream(self, path, timeout):
        r = urllib.request.Request(self.server + path, headers={'Accept': 'application/json'})
        return urllib.request.urlopen(r, context=self.ssl, timeout=timeout)


def paths(ns):
    return {'pods': f'/api/v1/namespaces/{ns}/pods',
            'mimg': f'/apis/{GROUP}/{VERSION}/namespaces/{ns}/{PLURAL}',
            'events': f'/api/v1/namespaces/{ns}/events'}


def strip(o):
    md = o.get('metadata', {})
    md.pop('managedFields', None)
    (md.get('annotations') or {}).pop('kubectl.kubernetes.io/last-applied-configuration', None)
    if o.get('kind') == 'Pod' or 'containers' in o.get('spec', {}):
        spec = o.get('spec', {})
        o['spec'] = {'nodeName': spec.get('nodeName'),  # and the containers' names, in the order the pod runs them
                     'initContainers': [{'name': c['name']} for c in spec.get('initContainers') or []],
                     'containers': [{'name': c['name']} for c in spec.get('containers') or []]}
    if 'source' in o.get('spec', {}):
        o['spec'] = {'image': o['spec'].get('image')}
    return o


def cmd_watch(out, *namespaces):
    api = Api()
    lock = threading.Lock()
    fh = open(out, 'a', buffering=1)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: (stop.set(), fh.flush(), os._exit(0)))

    def emit(res, ns, typ, obj):
        line = json.dumps({'t': round(time.time(), 6), 'res': res, 'ns': ns, 'type': typ, 'obj': strip(obj)},
                          separators=(',', ':'))
        with lock:
            fh.write(line + '\n')

    def loop(res, ns, path):
        rv = None
        while not stop.is_set():
            try:
                if rv is None:   # (re)list, then watch from that version
                    lst = api.req('GET', path)
                    rv = lst['metadata']['resourceVersion']
                    for it in lst.get('items', []):
                        emit(res, ns, 'LISTED', it)
                with api.stream(f'{path}?watch=1&allowWatchBookmarks=true&resourceVersion={rv}&timeoutSeconds=1800',
                                timeout=1900) as s:
                    for line in s:
                        ev = json.loads(line)
                        o = ev.get('object', {})
                        if ev.get('type') == 'ERROR':
                            rv = None   # 410 Gone: relist
                            break
                        rv = o.get('metadata', {}).get('resourceVersion', rv)
                        if ev.get('type') != 'BOOKMARK':
                            emit(res, ns, ev['type'], o)
            except Exception as e:   # noqa: BLE001 - reconnect on any stream error
                emit('error', ns, 'ERROR', {'res': res, 'error': repr(e)})
                time.sleep(0.5)
    ths = []
    for ns in namespaces:
        for res, path in paths(ns).items():
            th = threading.Thread(target=loop, args=(res, ns, path), daemon=True)
            th.start()
            ths.append(th)
    while True:
        time.sleep(3600)


def mimg_body(ns, name, image, keep):
    """examples/hello-c/minimalimage.yaml with its name, namespace and image replaced, no push secret, insecure."""
    import yaml
    o = yaml.safe_load(open(os.environ.get('EXAMPLE', 'examples/hello-c/minimalimage.yaml')))
    o['metadata'] = {'name': name, 'namespace': ns, 'labels': {'bench': 'cluster'}}
    o['spec']['image'].pop('pushSecret', None)
    o['spec']['image'].update({'name': image, 'insecure': True})
    if keep != '-':
        o['spec'].setdefault('build', {})['keepFinishedPods'] = int(keep)
    return o


def cmd_create(out, ns, prefix, first, count, repo, keep, parallel):
    api = Api()
    first, count, parallel = int(first), int(count), int(parallel)
    names = [f'{prefix}-{i}' for i in range(first, first + count)]
    lock = threading.Lock()
    res = []
    it = iter(names)

    def worker():
        while True:
            with lock:
                n = next(it, None)
            if n is None:
                return
            body = mimg_body(ns, n, f'{repo}/{n}:1', keep)
            t0 = time.time()
            err = None
            try:
                api.req('POST', paths(ns)['mimg'], body)
            except urllib.error.HTTPError as e:
                err = f'{e.code} {e.read()[:300]!r}'
            t1 = time.time()
            with lock:
                res.append({'name': n, 't_post': round(t0, 6), 't_ack': round(t1, 6), 'error': err})
    ths = [threading.Thread(target=worker) for _ in range(max(1, parallel))]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    with open(out, 'a') as fh:
        for r in sorted(res, key=lambda r: r['t_post']):
            fh.write(json.dumps(r) + '\n')
    bad = [r for r in res if r['error']]
    for r in bad:
        print(f"create {r['name']}: {r['error']}", file=sys.stderr)
    sys.exit(1 if bad else 0)


def ready_of(o):
    for c in (o.get('status') or {}).get('conditions') or []:
        if c.get('type') == 'Ready':
            return c
    return None


def cmd_wait_ready(ns, names_file, timeout):
    api = Api()
    want = set(open(names_file).read().split())
    deadline = time.time() + float(timeout)
    last = ''
    while True:
        items = api.req('GET', paths(ns)['mimg'])['items']
        ok, failed = set(), {}
        for o in items:
            n = o['metadata']['name']
            c = ready_of(o)
            if n in want and c and c.get('observedGeneration', 0) >= o['metadata'].get('generation', 1):
                if c['status'] == 'True':
                    ok.add(n)
                elif c['status'] == 'False' and c.get('reason') not in (None, 'Building', 'Pending', 'InProgress'):
                    failed[n] = f"{c.get('reason')}: {c.get('message', '')[:200]}"
        msg = f'{len(ok)}/{len(want)} Ready'
        if msg != last:
            print(f'[wait-ready {time.strftime("%H:%M:%S")}] {msg}', file=sys.stderr)
            last = msg
        if ok >= want:
            return
        if time.time() > deadline:
            for n, m in failed.items():
                print(f'  {n}: {m}', file=sys.stderr)
            print(f'not Ready after {timeout}s: {sorted(want - ok)[:20]}', file=sys.stderr)
            sys.exit(1)
        time.sleep(0.5)


def inline_file(name):
    import yaml
    o = yaml.safe_load(open(os.environ.get('EXAMPLE', 'examples/hello-c/minimalimage.yaml')))
    return o['spec']['source']['inline']['files'][name]


def cmd_inline_file(name):
    sys.stdout.write(inline_file(name))


def cmd_example(kind, out, *args):
    """The go step's MinimalImage (GO_HELLO inline, language go) or the git step's (examples/hello-c's language and
    program, its main.c from spec.source.git URL at branch main with the ssh Secret SECRET). The image name is set by
    create; no push secret, as for hello-c."""
    import yaml
    spec = {'image': {'name': 'set-by-bench'}}
    if kind == 'go':
        spec.update({'source': {'inline': {'files': {'main.go': GO_HELLO}}}, 'language': {'name': 'go'}})
    elif kind == 'git':
        url, secret = args
        hello = yaml.safe_load(open(os.environ.get('EXAMPLE', 'examples/hello-c/minimalimage.yaml')))
        spec.update({'source': {'git': {'url': url, 'revision': 'main', 'credentialsSecret': secret}},
                     'language': hello['spec']['language']})
    else:
        sys.exit(f'example: unknown kind {kind} (go, git)')
    with open(out, 'w') as fh:
        yaml.safe_dump({'apiVersion': f'{GROUP}/{VERSION}', 'kind': 'MinimalImage', 'metadata': {'name': kind},
                        'spec': spec}, fh)


def floor_body(ns, name, image, compile_cmd, file='main.c', init=False):
    """The floor: a bare pod in the toolchain image that compiles the example's inline FILE (main.c: the way the C
    preset does; main.go: the Go preset) with compile_cmd, run by sh in /tmp with FILE there, Pod Security restricted
    like the builder pod (uid 65532, no capabilities, RuntimeDefault seccomp, read-only root with an emptyDir /tmp),
    the compile step's requests. init: an init container `fetch` (same image) writes FILE into /tmp first, the
    layout of a git build's pod (fetch, then compile), without a transfer."""
    source = inline_file(file)
    write = 'printf "%s" "$FLOOR_SOURCE" > /tmp/' + file
    script = ('' if init else write + ' && ') + 'cd /tmp && ' + compile_cmd + ' && test -x /tmp/hello'

    def container(cname, command, env):
        return {'name': cname, 'image': image, 'imagePullPolicy': 'IfNotPresent',
                'command': ['/bin/sh', '-c', command],
                'env': env + [{'name': 'HOME', 'value': '/tmp'}, {'name': 'TMPDIR', 'value': '/tmp'}],
                'resources': {'requests': {'cpu': '250m', 'memory': '256Mi'}},
                'volumeMounts': [{'name': 'tmp', 'mountPath': '/tmp'}],
                'securityContext': {'allowPrivilegeEscalation': False, 'runAsNonRoot': True,
                                    'readOnlyRootFilesystem': True, 'capabilities': {'drop': ['ALL']},
                                    'seccompProfile': {'type': 'RuntimeDefault'}}}
    src_env = [{'name': 'FLOOR_SOURCE', 'value': source}]
    spec = {'restartPolicy': 'Never', 'automountServiceAccountToken': False, 'enableServiceLinks': False,
            'securityContext': {'runAsNonRoot': True, 'runAsUser': 65532, 'runAsGroup': 65532,
                                'fsGroup': 65532, 'seccompProfile': {'type': 'RuntimeDefault'}},
            'containers': [container('compile', script, [] if init else src_env)],
            'volumes': [{'name': 'tmp', 'emptyDir': {}}]}
    if init:
        spec['initContainers'] = [container('fetch', write, src_env)]
    return {'apiVersion': 'v1', 'kind': 'Pod',
            'metadata': {'name': name, 'namespace': ns, 'labels': {FLOOR_LABEL: name}}, 'spec': spec}


def cmd_floor(out, ns, name, image, timeout):
    """POST the floor pod (client time before the POST and at the answer into OUT, as create does), then poll it until
    it Succeeded (exit 0) or Failed / TIMEOUT s passed (exit 1); the report takes its times from the watch."""
    api = Api()
    body = floor_body(ns, name, image, os.environ['FLOOR_CC'], os.environ.get('FLOOR_FILE') or 'main.c',
                      os.environ.get('FLOOR_INIT') == 'init')
    pods = paths(ns)['pods']
    t0 = time.time()
    api.req('POST', pods, body)
    t1 = time.time()
    with open(out, 'a') as fh:
        fh.write(json.dumps({'name': name, 't_post': round(t0, 6), 't_ack': round(t1, 6), 'error': None}) + '\n')
    deadline = t0 + float(timeout)
    while time.time() < deadline:
        st = api.req('GET', f'{pods}/{name}').get('status') or {}
        if st.get('phase') == 'Succeeded':
            return
        if st.get('phase') == 'Failed':
            term = [cs.get('state', {}).get('terminated', {}) for cs in st.get('containerStatuses') or []]
            print(f'{name} Failed: {json.dumps(term)[:400]}', file=sys.stderr)
            sys.exit(1)
        time.sleep(0.25)
    print(f'{name} not Succeeded within {timeout} s', file=sys.stderr)
    sys.exit(1)


# ------------------------------------------------------------------------------------------------ host CPU
CLUSTER_DAEMONS = {'kube-apiserver', 'kube-controller', 'kube-scheduler', 'kube-proxy', 'kubelet', 'etcd',
                   'containerd', 'containerd-shim', 'docker-registry', 'registry', 'runc', 'pause', 'python3'}


def cpu_snapshot():
    """Host jiffies (all, idle) and every process's CPU ticks by who it is: a container of the cluster, a cluster
    daemon (and this bench's python), a Maven build, or its command name."""
    fields = [int(x) for x in open('/proc/stat').readline().split()[1:]]
    procs = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            raw = open(f'/proc/{pid}/stat').read()
            comm = raw[raw.index('(') + 1:raw.rindex(')')]
            rest = raw[raw.rindex(')') + 2:].split()
            ticks = int(rest[11]) + int(rest[12])
            if 'k8s.io' in open(f'/proc/{pid}/cgroup').read():
                who = 'cluster containers'
            elif comm in CLUSTER_DAEMONS or comm.startswith('containerd-shim'):
                who = 'cluster daemons + bench'
            elif 'classworlds' in open(f'/proc/{pid}/cmdline').read():
                who = 'maven'
            else:
                who = comm
        except (OSError, ValueError, IndexError):
            continue
        procs[pid] = [who, ticks]
    return {'total': sum(fields), 'idle': fields[3] + fields[4], 'procs': procs}


def cmd_cpu_snap(out):
    json.dump(cpu_snapshot(), open(out, 'w'))


def cpu_between(a, b):
    """Shares of the host's CPU (percent of all vCPUs) between two snapshots: busy, and by whom."""
    total = b['total'] - a['total']
    if total <= 0:
        return None
    by = {}
    for pid, (who, ticks) in b['procs'].items():
        by[who] = by.get(who, 0) + ticks - (a['procs'].get(pid, [who, 0])[1])
    busy = 100 * (total - (b['idle'] - a['idle'])) / total
    return {'busy': busy, 'by': {k: 100 * v / total for k, v in by.items() if v > 0}}


# ------------------------------------------------------------------------------------------------ registry bytes
def cmd_regbytes(registry, repo, tag):
    acc = ', '.join(['application/vnd.oci.image.manifest.v1+json',
                     'application/vnd.docker.distribution.manifest.v2+json'])
    base = f'http://{registry}/v2/{repo}'
    r = urllib.request.Request(f'{base}/manifests/{tag}', headers={'Accept': acc})
    with urllib.request.urlopen(r, timeout=30) as resp:
        body = resp.read()
        digest = resp.headers.get('Docker-Content-Digest')
    m = json.loads(body)

    def head(d):
        with urllib.request.urlopen(urllib.request.Request(f'{base}/blobs/{d}', method='HEAD'), timeout=30) as rr:
            return int(rr.headers['Content-Length'])
    cfg = head(m['config']['digest'])
    layers = [head(l['digest']) for l in m.get('layers', [])]
    print(json.dumps({'digest': digest, 'manifest': len(body), 'config': cfg, 'layers': sum(layers),
                      'nlayers': len(layers), 'total': len(body) + cfg + sum(layers)}))


def cmd_digests(registry, prefix, out):
    """tag 1 digest of every repository under PREFIX/ (one JSON object: repo -> digest)"""
    acc = ', '.join(['application/vnd.oci.image.manifest.v1+json',
                     'application/vnd.docker.distribution.manifest.v2+json'])
    repos, url = [], f'http://{registry}/v2/_catalog?n=1000'
    while url:
        with urllib.request.urlopen(url, timeout=30) as r:
            repos += [x for x in json.loads(r.read())['repositories'] if x.startswith(prefix + '/')]
            m = re.search(r'<([^>]+)>', r.headers.get('Link') or '')
            url = f'http://{registry}{m.group(1)}' if m else None
    res = {}
    for repo in repos:
        try:
            rq = urllib.request.Request(f'http://{registry}/v2/{repo}/manifests/1', method='HEAD', headers={'Accept': acc})
            with urllib.request.urlopen(rq, timeout=30) as rr:
                res[repo] = rr.headers.get('Docker-Content-Digest')
        except urllib.error.HTTPError as e:
            res[repo] = f'HTTP {e.code}'
    json.dump(res, open(out, 'w'), indent=0, sort_keys=True)


# ------------------------------------------------------------------------------------------------ metrics settle
COUNTERS = ('operator_sdk_reconciliations_started_total', 'operator_sdk_reconciliations_success_total',
            'operator_sdk_reconciliations_failed_total', 'operator_sdk_events_received_total')


def scrape(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        txt = r.read().decode()
    sums = {k: 0.0 for k in COUNTERS}
    extra = {}
    for line in txt.splitlines():
        if line.startswith('#'):
            continue
        name = re.split(r'[{ ]', line, 1)[0]
        try:
            v = float(line.rsplit(' ', 1)[1])
        except (IndexError, ValueError):
            continue
        if name in sums:
            sums[name] += v
        elif name in ('minimalimage_builds_started_total', 'process_start_time_seconds',
                      'operator_sdk_reconciliations_queue_size_minimalimage',
                      'operator_sdk_reconciliations_executions_minimalimage', 'jvm_memory_used_bytes'):
            extra[name] = extra.get(name, 0.0) + v
    return sums, extra


def cmd_settle(url, quiet, timeout, out):
    quiet, deadline = float(quiet), time.time() + float(timeout)
    first_ok = None
    last_val, last_change = None, None
    samples = []
    while time.time() < deadline:
        t = time.time()
        try:
            sums, extra = scrape(url)
        except Exception as e:  # noqa: BLE001 - not up yet
            samples.append({'t': t, 'error': repr(e)})
            time.sleep(0.5)
            continue
        if first_ok is None:
            first_ok = t
        val = tuple(sums[k] for k in COUNTERS)
        busy = extra.get('operator_sdk_reconciliations_executions_minimalimage', 0) + \
            extra.get('operator_sdk_reconciliations_queue_size_minimalimage', 0)
        samples.append({'t': t, 'sums': sums, 'extra': extra})
        if val != last_val or busy > 0:
            last_val, last_change = val, t
        elif t - last_change >= quiet and sum(val) > 0:
            json.dump({'first_scrape_ok': first_ok, 'last_change': last_change, 'settled_seen': t, 'sums': sums,
                       'extra': extra, 'samples': len(samples)}, open(out, 'w'))
            return
        time.sleep(0.5)
    json.dump({'timeout': True, 'first_scrape_ok': first_ok, 'last_change': last_change,
               'last': samples[-1] if samples else None}, open(out, 'w'))
    sys.exit(1)


# ------------------------------------------------------------------------------------------------ report
def ts(s):  # Kubernetes timestamp (1 s resolution) -> epoch seconds
    import calendar
    return calendar.timegm(time.strptime(s, '%Y-%m-%dT%H:%M:%SZ')) if s else None


def load_jsonl(p):
    out = []
    if os.path.exists(p):
        for line in open(p):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def pull_secs(msg):
    m = re.search(r' in ([0-9.]+)(ms|s)\b', msg or '')
    if not m:
        m2 = re.search(r' in (\d+)m([0-9.]+)s', msg or '')
        return int(m2.group(1)) * 60 + float(m2.group(2)) if m2 else None
    return float(m.group(1)) / (1000 if m.group(2) == 'ms' else 1)


class Timeline:
    """First client-side sighting (watch receipt time) of each state, per MinimalImage name."""

    def __init__(self, events, ns):
        self.mimg, self.pod, self.pulls, self.podobj, self.mimgobj = {}, {}, {}, {}, {}
        self.pods_added = []   # (t, pod name, owner) of every pod ADDED
        for e in events:
            if e.get('ns') != ns:
                continue
            o, t, typ = e['obj'], e['t'], e['type']
            if e['res'] == 'mimg':
                n = o['metadata']['name']
                self.mimgobj[n] = o
                c = ready_of(o)
                if c and c['status'] == 'True' and c.get('observedGeneration', 0) >= o['metadata'].get('generation', 1):
                    self.mimg.setdefault(n, {}).setdefault('ready', t)
                if typ == 'ADDED':
                    self.mimg.setdefault(n, {}).setdefault('added', t)
            elif e['res'] == 'pods':
                labels = o['metadata'].get('labels') or {}
                owner = labels.get('build.minimalimage.dev/image') or labels.get(FLOOR_LABEL)
                if not owner:
                    continue
                pn = o['metadata']['name']
                if typ == 'ADDED':
                    self.pods_added.append((t, pn, owner))
                if typ == 'DELETED':
                    continue
                d = self.pod.setdefault(owner, {})
                d.setdefault('name', pn)
                self.podobj[owner] = o
                d.setdefault('created', t) if typ in ('ADDED', 'LISTED') else None
                if o['spec'].get('nodeName'):
                    d.setdefault('scheduled', t)
                st = o.get('status') or {}
                # before issue 19 item 3 compile was an init container, package ran after it; now they run side by side
                if any(cs['name'] == 'compile' for cs in st.get('initContainerStatuses') or []):
                    d['layout'] = 'init'
                elif any(cs['name'] == 'compile' for cs in st.get('containerStatuses') or []):
                    d.setdefault('layout', 'side')
                if o['metadata'].get('creationTimestamp'):
                    d['creation_k8s'] = ts(o['metadata']['creationTimestamp'])
                if st.get('podIP'):
                    d['ip'] = st['podIP']
                d['init'] = {cs['name'] for cs in st.get('initContainerStatuses') or []} or d.get('init', set())
                # pod order: init containers, then the others as the spec lists them (the kubelet lists their
                # statuses by name: the packer before a Dockerfile's last stage beside it)
                spec_order = [c['name'] for c in (o['spec'].get('initContainers') or []) + (o['spec'].get('containers') or [])]
                order = [cs['name'] for cs in (st.get('initContainerStatuses') or []) + (st.get('containerStatuses') or [])]
                if all(n in spec_order for n in order):  # recorded since the eleventh session
                    order.sort(key=spec_order.index)
                else:  # earlier raw data: the kubelet's order, but the packer is always the pod's last container
                    order.sort(key=lambda n: n == 'package')
                if len(order) > len(d.get('order', [])):
                    d['order'] = order
                for cs in (st.get('initContainerStatuses') or []) + (st.get('containerStatuses') or []):
                    s = cs.get('state') or {}
                    if 'running' in s:
                        d.setdefault(cs['name'] + '_running', t)
                    if 'terminated' in s:
                        d.setdefault(cs['name'] + '_running', t)
                        d.setdefault(cs['name'] + '_done', t)
                        d[cs['name'] + '_k8s'] = (ts(s['terminated'].get('startedAt')), ts(s['terminated'].get('finishedAt')))
                if st.get('phase') in ('Succeeded', 'Failed'):
                    d.setdefault('finished', t)
                    d.setdefault('phase', st['phase'])
            elif e['res'] == 'events':
                io = o.get('involvedObject', {})
                if io.get('kind') == 'Pod' and o.get('reason') == 'Pulled':
                    owner = re.sub(r'-build-[0-9a-f]+$', '', io.get('name', ''))   # a floor pod: its own name
                    msg = o.get('message', '')
                    img = re.search(r'image "([^"]+)"', msg)
                    img = img.group(1) if img else '?'
                    secs = 0.0 if 'already present' in msg else pull_secs(msg)
                    self.pulls.setdefault(owner, {})[img] = secs


def ctr_time(s):  # containerd's RFC 3339 time with ns -> epoch seconds (µs)
    import calendar
    whole, _, frac = s.rstrip('Z').partition('.')
    return calendar.timegm(time.strptime(whole, '%Y-%m-%dT%H:%M:%S')) + float('0.' + (frac or '0')[:6])


def containerd_timeline(path, ns):
    """Pod name -> times (host clock, ns in the log) from containerd's CRI log lines (cluster.sh keeps those of the
    run): sandbox requested / ready, and per container created / started (StartContainer returned) / exited (its
    task's shim disconnected, right after the process exit)."""
    pods, sandbox_pod, container = {}, {}, {}
    if not os.path.exists(path):
        return pods
    for line in open(path, errors='replace'):
        m = re.match(r'time="([^"]+)" level=\w+ msg="((?:[^"\\]|\\.)*)"(?: id=(\w+))?', line)
        if not m:
            continue
        t, msg, tid = ctr_time(m.group(1)), m.group(2).replace('\\"', '"'), m.group(3)
        if msg.startswith('RunPodSandbox for &PodSandboxMetadata{'):
            md = dict(kv.split(':', 1) for kv in msg.split('{', 1)[1].split('}', 1)[0].split(',') if ':' in kv)
            if md.get('Namespace') != ns:
                continue
            p = pods.setdefault(md['Name'], {'containers': {}})
            sb = re.search(r'returns sandbox id "(\w+)"', msg)
            if sb:
                p.setdefault('sandbox_ready', t)
                sandbox_pod[sb.group(1)] = md['Name']
            else:
                p.setdefault('sandbox_requested', t)
        elif msg.startswith('CreateContainer within sandbox "'):
            sb = msg.split('"')[1]
            if sb not in sandbox_pod:
                continue
            name = re.search(r'ContainerMetadata\{Name:([^,]+),', msg).group(1)
            c = pods[sandbox_pod[sb]]['containers'].setdefault(name, {})
            cid = re.search(r'returns container id "(\w+)"', msg)
            if cid:
                container[cid.group(1)] = c
            else:
                c.setdefault('created', t)
        elif msg.startswith('StartContainer for "') and msg.endswith('returns successfully'):
            c = container.get(msg.split('"')[1])
            if c is not None:
                c.setdefault('started', t)
        elif msg == 'shim disconnected' and tid in container:
            container[tid].setdefault('exited', t)
    return pods


def d(a, b):
    return None if a is None or b is None else b - a


def fmt(v, ms=True):
    if v is None:
        return '–'
    return f'{v * 1000:.0f} ms' if ms and abs(v) < 1 else f'{v:.2f} s'


def med_rng(vals):
    ok = [v for v in vals if v is not None]
    if not ok:
        return '–', '–'
    return fmt(statistics.median(ok)), f'{fmt(min(ok))} – {fmt(max(ok))}'


def pct(vals, p):
    ok = sorted(v for v in vals if v is not None)
    if not ok:
        return None
    k = (len(ok) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ok) - 1)
    return ok[lo] + (ok[hi] - ok[lo]) * (k - lo)


def table(rows, head):
    o = ['| ' + ' | '.join(head) + ' |', '|' + '|'.join(['---'] + ['---:'] * (len(head) - 1)) + '|']
    o += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in rows]
    return '\n'.join(o)


def registry_requests(path):
    """(time, client IP) of every request the cluster registry answered during the run (its log, host clock)."""
    reqs = []
    if os.path.exists(path):
        for line in open(path, errors='replace'):
            t = re.match(r'time="([^"]+)"', line)
            ip = re.search(r'http\.request\.remoteaddr="?([0-9.]+):', line)
            if t and ip:
                reqs.append((ctr_time(t.group(1)), ip.group(1)))
    return reqs


def registry_figures(reqs, ip, ctr_pod):
    """Where the packer's time goes, from the registry's side: its first request (JVM start and set-up done; the
    registry ping it makes while the compiler runs), its last (the push done), against containerd's start/exit."""
    c = ctr_pod.get('containers', {})
    comp, pack = c.get('compile', {}), c.get('package', {})
    lo, hi = pack.get('started'), pack.get('exited')
    mine = sorted(t for t, a in reqs if a == ip and lo and hi and lo <= t <= hi + 0.5) if ip else []
    first, last = (mine[0], mine[-1]) if mine else (None, None)
    return [('    registry log: package started → its first request (JVM start + set-up)', d(lo, first)),
            ('    registry log: compile exited → package\'s first request', d(comp.get('exited'), first)),
            ('    registry log: package\'s first → last request (ping, blobs, manifest, SBOM)', d(first, last)),
            ('    registry log: last request → package exited (result, JVM exit)', d(last, hi))]


def ctr_figures(pod, t_created, t_finished, first, second, init=None, init_is_regular=False):
    """Rows from containerd's log (host clock, ms): the kubelet's pickup, the sandbox, [the fetch: an init container
    before the two, or a regular one beside them,] and the two containers on one time line from the sandbox's
    readiness."""
    c = pod.get('containers', {})
    f, s = c.get(first, {}), c.get(second, {})
    sb = pod.get('sandbox_ready')
    rows = [('  containerd: pod created (watch) → sandbox requested (kubelet pickup)', d(t_created, pod.get('sandbox_requested'))),
            ('  containerd: sandbox requested → ready (pause container + CNI)', d(pod.get('sandbox_requested'), sb))]
    if init and init_is_regular:
        i = c.get(init, {})
        rows += [(f'    sandbox ready → {init} started (first regular container: create, start)', d(sb, i.get('started'))),
                 (f'    **{init} started → exited** (its own time)', d(i.get('started'), i.get('exited'))),
                 (f'    {init} exited → {first} exited (the build once the source is there)', d(i.get('exited'), f.get('exited')))]
    elif init:
        i = c.get(init, {})
        rows += [(f'    sandbox ready → {init} started (init container: create, start)', d(sb, i.get('started'))),
                 (f'    **{init} started → exited** (the init container\'s own time)', d(i.get('started'), i.get('exited'))),
                 (f'    {init} exited → {first} started (init → main containers: kubelet relist + start)', d(i.get('exited'), f.get('started')))]
    for n, x in ((first, f), (second, s)) if second else ((first, f),):
        rows += [(f'    sandbox ready → {n} started (pull if absent, create, start)', d(sb, x.get('started'))),
                 (f'    sandbox ready → {n} exited', d(sb, x.get('exited')))]
    if second:
        rows.append((f'    {first} started → exited', d(f.get('started'), f.get('exited'))))
        rows.append((f'    {second} started → exited', d(s.get('started'), s.get('exited'))))
        rows.append((f'    **{first} exited → {second} exited** (hand-over + pack + push)', d(f.get('exited'), s.get('exited'))))
    last = s if second else f
    rows.append(('    last container exited → pod Succeeded (watch: kubelet PLEG + status update)', d(last.get('exited'), t_finished)))
    return rows


def run_figures(name, tl, posts, env, ctr, reqs):
    """The breakdown of one build: watch rows, pod-status rows (1 s) and containerd rows, for either builder pod
    layout (compile an init container before package, or compile and package side by side)."""
    p = posts.get(name, {})
    m, pd = tl.mimg.get(name, {}), tl.pod.get(name, {})
    pulls = tl.pulls.get(name, {})
    toolchain, builder = env.get('TOOLCHAIN'), env.get('BUILDER_IMAGE', env.get('OPERATOR_IMAGE'))
    t0 = p.get('t_post')
    ck = pd.get('compile_k8s', (None, None))
    pk = pd.get('package_k8s', (None, None))
    fetch = 'fetch' in pd.get('order', [])   # a git source: the fetch container first (init or regular)
    rows = [
        ('**apply → Ready** (POST → Ready=True seen by a watch)', d(t0, m.get('ready'))),
        ('  apply → builder pod created (watch)', d(t0, pd.get('created'))),
        ('  pod created → scheduled (watch: nodeName set)', d(pd.get('created'), pd.get('scheduled'))),
    ] + (fetch_rows(pd) if fetch else []) + [
        ('  scheduled → compile running (watch; sandbox + pull + start)', d(pd.get('scheduled'), pd.get('compile_running'))),
        ('    kubelet pull of the toolchain image (event "in X s"; 0 = present)', pulls.get(toolchain)),
        ('    kubelet pull of the builder image (event; 0 = present)', pulls.get(builder)),
        ('  compile running → compile terminated (watch)', d(pd.get('compile_running'), pd.get('compile_done'))),
        ('    compile container started → finished (pod status, 1 s resolution)', d(*ck)),
    ]
    if pd.get('layout') == 'init':
        rows += [
            ('  compile terminated → package running (watch)', d(pd.get('compile_done'), pd.get('package_running'))),
            ('  package running → pod Succeeded (watch)', d(pd.get('package_running'), pd.get('finished'))),
        ]
    else:
        rows += [
            ('  scheduled → package running (watch)', d(pd.get('scheduled'), pd.get('package_running'))),
            ('  package running → package terminated (watch)', d(pd.get('package_running'), pd.get('package_done'))),
            ('  compile terminated → package terminated (watch: hand-over + pack + push)', d(pd.get('compile_done'), pd.get('package_done'))),
            ('  package terminated → pod Succeeded (watch)', d(pd.get('package_done'), pd.get('finished'))),
        ]
    rows += [
        ('    package container started → finished (pod status, 1 s resolution)', d(*pk)),
        ('  pod Succeeded → status Ready (watch → watch)', d(pd.get('finished'), m.get('ready'))),
    ]
    cpod = ctr.get(pd.get('name'), {})
    return rows + ctr_figures(cpod, pd.get('created'), pd.get('finished'), 'compile', 'package',
                              'fetch' if fetch else None, 'fetch' not in pd.get('init', set())) \
        + registry_figures(reqs, pd.get('ip'), cpod)


def fetch_rows(pd):
    """Watch and pod-status rows of a git build's fetch: an init container (the floor's, Dockerfile builds'), or since
    issue 19 item 2 the first regular container beside compile (whose script waits for the fetch's exit code)."""
    rows = [('  scheduled → fetch running (watch; sandbox + start)', d(pd.get('scheduled'), pd.get('fetch_running'))),
            ('  fetch running → fetch terminated (watch)', d(pd.get('fetch_running'), pd.get('fetch_done'))),
            ('    fetch container started → finished (pod status, 1 s resolution)', d(*pd.get('fetch_k8s', (None, None))))]
    if 'fetch' in pd.get('init', set()):
        return rows + [('  fetch terminated → compile running (watch: init → main containers)',
                        d(pd.get('fetch_done'), pd.get('compile_running')))]
    return rows + [('  fetch running → compile running (watch: regular containers, started one after another)',
                    d(pd.get('fetch_running'), pd.get('compile_running'))),
                   ('  fetch terminated → compile terminated (watch: the build once the source is there)',
                    d(pd.get('fetch_done'), pd.get('compile_done')))]


def floor_figures(name, tl, posts, ctr):
    p, pd = posts.get(name, {}), tl.pod.get(name, {})
    fetch = 'fetch' in pd.get('order', [])
    return [
        ('**POST → pod Succeeded** (client before the POST → phase seen by the watch)', d(p.get('t_post'), pd.get('finished'))),
        ('  creationTimestamp → Succeeded (watch; API time, 1 s resolution)', d(pd.get('creation_k8s'), pd.get('finished'))),
        ('  pod created (watch) → Succeeded (watch)', d(pd.get('created'), pd.get('finished'))),
        ('  pod created → scheduled (watch)', d(pd.get('created'), pd.get('scheduled'))),
    ] + (fetch_rows(pd) if fetch else []) + [
        ('  compile container started → finished (pod status, 1 s resolution)', d(*pd.get('compile_k8s', (None, None)))),
    ] + ctr_figures(ctr.get(name, {}), pd.get('created'), pd.get('finished'), 'compile', None, 'fetch' if fetch else None)


def chain_figures(name, tl, posts, ctr):
    """A build's pod container by container in pod order (any layout: a Dockerfile build's runtime, stage and package
    containers one after another): watch rows, then containerd's times of each container from the sandbox's
    readiness, its own time, and the gap after the one before it."""
    p, m, pd = posts.get(name, {}), tl.mimg.get(name, {}), tl.pod.get(name, {})
    cpod = ctr.get(pd.get('name'), {})
    c, sb = cpod.get('containers', {}), cpod.get('sandbox_ready')
    rows = [('**apply → Ready** (POST → Ready=True seen by a watch)', d(p.get('t_post'), m.get('ready'))),
            ('  apply → builder pod created (watch)', d(p.get('t_post'), pd.get('created'))),
            ('  pod created → scheduled (watch: nodeName set)', d(pd.get('created'), pd.get('scheduled'))),
            ('  containerd: pod created (watch) → sandbox requested (kubelet pickup)', d(pd.get('created'), cpod.get('sandbox_requested'))),
            ('  containerd: sandbox requested → ready (pause container + CNI)', d(cpod.get('sandbox_requested'), sb))]
    before = None
    for i, n in enumerate(pd.get('order', [])):
        x = c.get(n, {})
        rows += [(f'    {i + 1}. {n}: sandbox ready → started', d(sb, x.get('started'))),
                 (f'    {i + 1}. {n}: started → exited (its own time)', d(x.get('started'), x.get('exited')))]
        if before is not None and beside(before, x):  # regular containers start together: what follows the end
            rows.append((f'    {i + 1}. {n}: previous container exited → exited (beside it: the rest of its work)',
                         d(before.get('exited'), x.get('exited'))))
        elif before is not None:
            rows.append((f'    {i + 1}. {n}: previous container exited → started (hand-over)', d(before.get('exited'), x.get('started'))))
        before = x
    rows += [('    last container exited → pod Succeeded (watch)', d((before or {}).get('exited'), pd.get('finished'))),
             ('  pod Succeeded → status Ready (watch → watch)', d(pd.get('finished'), m.get('ready')))]
    return rows


def beside(before, x):
    """Whether container x started before the one before it exited: both regular containers, side by side."""
    return None not in (before.get('exited'), x.get('started')) and x['started'] < before['exited']


def aligned(figs):
    """Runs' rows aligned by label (a run may lack a row another has), in first-seen order, for breakdown_table."""
    labels = []
    for f in figs:
        for label, _ in f:
            if label not in labels:
                labels.append(label)
    return [[(label, dict(f).get(label)) for label in labels] for f in figs]


def cpu_rows(dirp, name):
    a, b = (os.path.join(dirp, 'cpu', f'{name}.{i}.json') for i in (0, 1))
    c = cpu_between(json.load(open(a)), json.load(open(b))) if os.path.exists(a) and os.path.exists(b) else None
    other = sum(v for k, v in c['by'].items() if k not in ('cluster containers', 'cluster daemons + bench')) if c else None
    pct = lambda v: None if v is None else f'{v:.0f} %'
    return [('host CPU busy during the run (% of all vCPUs, /proc/stat; includes the build; warm: each run)', pct(c and c['busy'])),
            ('  of it outside the cluster (other processes, e.g. Maven builds of others; each run)', pct(other)),
            ('    Maven builds of others (each run)', pct(c and c['by'].get('maven', 0)))]


def breakdown_table(cold_rows, warm_rows):
    base = warm_rows[0] if warm_rows else cold_rows[0]
    rows = []
    for i, (label, _) in enumerate(base):
        if isinstance(base[i][1], str) or (cold_rows and isinstance(cold_rows[0][i][1], str)):  # per-run notes
            rows.append((label, cold_rows[0][i][1] or '–' if cold_rows else '–',
                         ', '.join(f[i][1] or '–' for f in warm_rows), ''))
            continue
        c = fmt(cold_rows[0][i][1]) if cold_rows else '–'
        mm, rr = med_rng([f[i][1] for f in warm_rows])
        rows.append((label, c, mm, rr))
    return table(rows, ['figure', 'cold', f'warm median (n={len(warm_rows)})', 'warm min – max'])


def names(dirp, f):
    p = os.path.join(dirp, f)
    return [l.strip() for l in open(p) if l.strip()] if os.path.exists(p) else []


def median_of(vals):
    ok = [v for v in vals if v is not None]
    return statistics.median(ok) if ok else None


def cmd_report(dirp):
    env = dict(l.strip().split('=', 1) for l in open(os.path.join(dirp, 'run.env')) if '=' in l)
    ns = env['NS']
    events = load_jsonl(os.path.join(dirp, 'watch.jsonl'))
    tl = Timeline(events, ns)
    posts = {r['name']: r for r in load_jsonl(os.path.join(dirp, 'posts.jsonl'))}
    P = print
    P(f"## Real cluster: apply → Ready ({env.get('STAMP', '')})")
    P()
    P(f"Machine: {os.cpu_count()} shared vCPUs, Linux {os.uname().release}, load avg at start {env.get('LOAD0', '?')}, "
      f"at end {env.get('LOAD1', '?')}; pods running in other namespaces at start: {env.get('OTHERS0', '?')}, at "
      f"end: {env.get('OTHERS1', '?')}. Cluster: Kubernetes v1.20.2 (shared/kube, one node, containerd "
      f"1.6). Operator image `{env.get('OPERATOR_IMAGE')}`, builder image `{env.get('BUILDER_IMAGE', '?')}`, toolchain `{env.get('TOOLCHAIN')}` "
      f"({env.get('TOOLCHAIN_BYTES', '?')} B compressed). Client times: host clock at watch receipt / before the "
      f"POST (ms); \"pod status\" figures are Kubernetes timestamps (1 s resolution); pull times come from kubelet "
      f"events (\"Successfully pulled image … in X s\").")
    P()
    cold, warm, floor = names(dirp, 'cold.names'), names(dirp, 'warm.names'), names(dirp, 'floor.names')
    ctr = containerd_timeline(os.path.join(dirp, 'containerd.log'), ns)
    summary = {}
    if cold or warm:
        P(f"### 1. Inline C hello (examples/hello-c), one resource at a time: {len(cold)} cold + {len(warm)} warm runs")
        P()
        if cold and env.get('COLD_NOTE'):
            P(f"Cold = {env['COLD_NOTE']}")
            P()
        reqs = registry_requests(os.path.join(dirp, 'registry.log'))
        figs_c = [run_figures(n, tl, posts, env, ctr, reqs) + cpu_rows(dirp, n) for n in cold]
        figs_w = [run_figures(n, tl, posts, env, ctr, reqs) + cpu_rows(dirp, n) for n in warm]
        layouts = {tl.pod.get(n, {}).get('layout') for n in cold + warm}
        P(f"Builder pod layout: {', '.join(sorted(LAYOUTS.get(x, str(x)) for x in layouts))}. \"containerd\" rows: "
          f"times of containerd's CRI log lines (host clock, ns), the container's exit = its task's shim "
          f"disconnecting; \"registry log\" rows: the cluster registry's log lines of requests from the builder pod's IP "
          f"(host clock).")
        P()
        P(breakdown_table(figs_c, figs_w))
        P()
        summary['warm_runs'] = [f[0][1] for f in figs_w]
        summary['warm'] = median_of(summary['warm_runs'])
        summary['cold'] = figs_c[0][0][1] if figs_c else None
        if cold:
            pulls = tl.pulls.get(cold[0], {})
            builder = env.get('BUILDER_IMAGE', env.get('OPERATOR_IMAGE'))
            P(f"Cold run: **builder image pull {fmt(pulls.get(builder))}** (`{builder}`, kubelet event; "
              f"{env.get('BUILDER_BYTES', '?')} B compressed); toolchain image pull {fmt(pulls.get(env.get('TOOLCHAIN')))} "
              f"(`{env.get('TOOLCHAIN')}`).")
            P()
        regs = load_jsonl(os.path.join(dirp, 'registry.jsonl'))
        if regs:
            digs = {r['digest'] for r in regs}
            r0 = regs[0]
            summary['bytes'] = r0['total']
            P(f"Image as the registry stores it: manifest {r0['manifest']:,} B + config {r0['config']:,} B + "
              f"{r0['nlayers']} layer(s) {r0['layers']:,} B = **{r0['total']:,} B**; {len(digs)} distinct manifest "
              f"digest(s) over {len(regs)} runs (each to its own repository){': ' + next(iter(digs))[:19] + '…' if len(digs) == 1 else ''}.")
            P()
    if floor:
        figs_f = [floor_figures(n, tl, posts, ctr) + cpu_rows(dirp, n) for n in floor]
        P(f"### 1b. Floor: a bare compile pod in the same toolchain image, {len(floor)} runs after the warm runs")
        P()
        P(f"One container in `{env.get('TOOLCHAIN')}`: `{env.get('FLOOR_CC')}` on the example's main.c (passed in an "
          f"env variable, written to the emptyDir /tmp), restartPolicy Never, uid 65532, no capabilities, RuntimeDefault "
          f"seccomp, read-only root, the compile step's requests; same namespace. Ends when the watch sees phase "
          f"Succeeded (ours: when it sees Ready=True).")
        P()
        P(breakdown_table([], figs_f))
        P()
        summary['floor_runs'] = [f[0][1] for f in figs_f]
        summary['floor'] = median_of(summary['floor_runs'])
    if summary.get('warm') is not None:
        P("### Targets (issue 19 item 3): warm apply → Ready")
        P()
        wm, wr = med_rng(summary['warm_runs'])
        rows = [('ours: apply → Ready, warm', wm, wr)]
        ratio = None
        if summary.get('floor') is not None:
            fm, fr = med_rng(summary['floor_runs'])
            rows.append(('floor: POST → Succeeded, warm', fm, fr))
            ratio = summary['warm'] / summary['floor']
            rows.append(('ours / floor (medians)', f'{ratio:.2f}×', ''))
        P(table(rows, ['figure', 'median', 'min – max']))
        P()
        met = lambda ok: '**met**' if ok else '**NOT met**'
        P(f"- median ≤ 2.0 s: {met(summary['warm'] <= 2.0)} ({fmt(summary['warm'])})")
        P(f"- median ≤ 1.5 × the floor's: " + (f"{met(ratio <= 1.5)} ({ratio:.2f}×)" if ratio is not None else 'no floor measured'))
        P()
    # ---- go and git (issue 19 item 3: the other kinds, each against its own floor)
    reqs = registry_requests(os.path.join(dirp, 'registry.log'))
    kinds = {}
    if summary.get('warm') is not None:
        kinds['inline C (examples/hello-c)'] = (summary['warm_runs'], summary.get('floor_runs', []), 'bare compile pod')
    for key, title, floor_text in (
            ('go', '1c. Go (inline main.go, the Go preset)',
             f"One container in `{env.get('TOOLCHAIN')}` builds the same main.go the way the Go preset does: "
             f"`{env.get('FLOOR_GO')}` (presets.sh's build_go without spec.build.cache: the builder pod has no "
             f"CACHE_DIR, so its GOCACHE is in the pod's emptyDir and starts empty, as here); otherwise as hello-c's floor."),
            ('git', '1d. git source (hello-c\'s main.c from spec.source.git over ssh)',
             f"hello-c's floor with the git pod's layout: an init container `fetch` (same toolchain image) writes main.c "
             f"into the emptyDir, then the container `compile` runs `{env.get('FLOOR_CC')}`. It has no transfer: the "
             f"toolchain image has no git client, and a floor that ran ours' fetch step would not be a floor; ours' "
             f"fetch container's own time is its own row above (containerd: fetch started → exited).")):
        ours_n, floor_n = names(dirp, f'{key}.names'), names(dirp, f'floor-{key}.names')
        if not ours_n and not floor_n:
            continue
        P(f"### {title}: {len(ours_n)} warm runs, {len(floor_n)} floor runs")
        P()
        if key == 'git' and env.get('GIT_URL'):
            P(f"Served by the cluster tests' SSH git server (JGit, Apache MINA sshd; bench/GitServe.java) on the node's "
              f"address inside the cluster's network namespace: `{env['GIT_URL']}`, branch main at "
              f"{env.get('GIT_COMMIT', '?')[:12]}, a `kubernetes.io/ssh-auth` Secret with a fresh key, annotated with that "
              f"host:port. The builder pod: `fetch` (the builder image, JGit over ssh), `compile` (which waits for the fetch's exit code) and "
              f"`package` side by side.")
            P()
        figs = aligned([run_figures(n, tl, posts, env, ctr, reqs) + cpu_rows(dirp, n) for n in ours_n])
        if figs:
            P(breakdown_table([], figs))
            P()
        regs = load_jsonl(os.path.join(dirp, f'registry-{key}.jsonl'))
        if regs:
            r0 = regs[0]
            P(f"Image as the registry stores it: manifest {r0['manifest']:,} B + config {r0['config']:,} B + "
              f"{r0['nlayers']} layer(s) {r0['layers']:,} B = **{r0['total']:,} B**; "
              f"{len({r['digest'] for r in regs})} distinct manifest digest(s) over {len(regs)} runs.")
            P()
        ffigs = aligned([floor_figures(n, tl, posts, ctr) + cpu_rows(dirp, n) for n in floor_n])
        if ffigs:
            P(f"Floor: {floor_text}")
            P()
            P(breakdown_table([], ffigs))
            P()
        kinds[title.split(' ', 1)[1]] = ([f[0][1] for f in figs], [f[0][1] for f in ffigs],
                                          'bare compile pod' if key == 'go' else 'bare pod: init container + compile')
    # ---- peer
    pe = {}
    if os.path.exists(os.path.join(dirp, 'peer.json')):
        pe = json.load(open(os.path.join(dirp, 'peer.json')))
    if pe:
        P(f"### 2. Peer in the same run: Shipwright-style buildah (shared/kube/peer-buildah.sh, PEER_RUNS={pe.get('runs')})")
        P()
        rows = []
        def ratio(a, b):
            return f'{a / b:.2f}×' if a is not None and b else '–'
        pm = pe.get('pushed_median')
        rows.append(('pod/apply → pushed/Ready, median (peer: incl. its cold run 1)', fmt(summary.get('warm')), fmt(pm),
                     ratio(summary.get('warm'), pm)))
        rows.append(('same, warm runs only (peer: median runs 2–n)', fmt(summary.get('warm')), fmt(pe.get('pushed_warm')),
                     ratio(summary.get('warm'), pe.get('pushed_warm'))))
        rows.append(('cold run 1', fmt(summary.get('cold')), fmt(pe.get('pushed_run1')), ratio(summary.get('cold'), pe.get('pushed_run1'))))
        rows.append(('image bytes (manifest + config + layers)', f"{summary.get('bytes', 0):,}" if summary.get('bytes') else '–',
                     f"{pe['bytes']:,}" if pe.get('bytes') else '–', ratio(summary.get('bytes'), pe.get('bytes'))))
        rows.append(('distinct digests over the runs', pe.get('ours_digests', '–'), pe.get('digests', '–'), ''))
        rows.append(('floor: plain compile pod, created → compiled (median)', '', fmt(pe.get('floor')), ''))
        P(table(rows, ['figure', 'ours', 'peer (buildah)', 'ours / peer']))
        P()
        P(f"Peer raw output: `{pe.get('out')}` (results.md there has its full breakdown).")
        P()
    # ---- the peer's Dockerfile, built by ours
    dfn = [l.strip() for l in open(os.path.join(dirp, 'dockerfile.names'))] if os.path.exists(os.path.join(dirp, 'dockerfile.names')) else []
    if dfn:
        P(f"### 2b. The peer's Dockerfile as spec.dockerfile, one resource at a time ({len(dfn)} runs)")
        P()
        a2r = [d(posts.get(n, {}).get('t_post'), tl.mimg.get(n, {}).get('ready')) for n in dfn]
        p2s = [d(tl.pod.get(n, {}).get('created'), tl.pod.get(n, {}).get('finished')) for n in dfn]
        regs = load_jsonl(os.path.join(dirp, 'registry-dockerfile.jsonl'))
        ours_bytes = regs[0]['total'] if regs else None
        def ratio(a, b):
            return f'{a / b:.2f}×' if a is not None and b else '–'
        am, ar = med_rng(a2r)
        pm, pr = med_rng(p2s)
        med = statistics.median([v for v in a2r if v is not None]) if any(v is not None for v in a2r) else None
        rows = [('apply → Ready (ours) / pod created → pushed (buildah), median', am, fmt(pe.get('pushed_median')),
                 ratio(med, pe.get('pushed_median'))),
                ('  min – max', ar, '', ''),
                ('  ours: builder pod created → Succeeded, median (min – max)', f'{pm} ({pr})', '', ''),
                ('image bytes (manifest + config + layers)', f'{ours_bytes:,}' if ours_bytes else '–',
                 f"{pe['bytes']:,}" if pe.get('bytes') else '–', ratio(ours_bytes, pe.get('bytes'))),
                ('distinct digests over the runs', f"{len({r['digest'] for r in regs})} of {len(regs)}" if regs else '–',
                 pe.get('digests', '–'), ''),
                ('floor: plain compile pod, created → compiled (median)', '', fmt(pe.get('floor')), '')]
        P(table(rows, ['figure', 'ours (spec.dockerfile)', 'peer (buildah)', 'ours / peer']))
        P()
        P("Ours runs the stage in a container of its FROM image as that image's user with every capability dropped "
          "(Pod Security baseline), the packer as uid 65532 (restricted); buildah runs privileged.")
        P()
        P("Breakdown by stage (the builder pod's containers in pod order: init containers one after another, then the "
          "pod's containers side by side, the last stage and the packer since the eleventh session; containerd rows: "
          "host clock, ns):")
        P()
        P(breakdown_table([], aligned([chain_figures(n, tl, posts, ctr) for n in dfn])))
        P()
        kinds["the peer's Dockerfile (spec.dockerfile)"] = (a2r, [], None)
    # ---- every kind against its floor
    if len(kinds) > 1 or any(k != 'inline C (examples/hello-c)' for k in kinds):
        P("### Issue 19 item 3: warm apply → Ready of each kind against its floor (this run)")
        P()
        rows = []
        for k, (ours_runs, floor_runs, what) in kinds.items():
            om, orr = med_rng(ours_runs)
            fm, frr = med_rng(floor_runs)
            o, f = median_of(ours_runs), median_of(floor_runs)
            rows.append((k, f'{om} ({orr})', f'{fm} ({frr}), {what}' if f is not None else 'none measured',
                         f'{o / f:.2f}×' if o is not None and f else '–'))
        P(table(rows, ['kind', 'ours: apply → Ready, median (min – max)', 'floor: POST → Succeeded, median (min – max)',
                       'ours / floor']))
        P()
    # ---- burst
    burst = [l.strip() for l in open(os.path.join(dirp, 'burst.names'))] if os.path.exists(os.path.join(dirp, 'burst.names')) else []
    if burst:
        c2p = [d(posts.get(n, {}).get('t_post'), tl.pod.get(n, {}).get('created')) for n in burst]
        f2r = [d(tl.pod.get(n, {}).get('finished'), tl.mimg.get(n, {}).get('ready')) for n in burst]
        a2r = [d(posts.get(n, {}).get('t_post'), tl.mimg.get(n, {}).get('ready')) for n in burst]
        post_span = d(min(posts[n]['t_post'] for n in burst if n in posts), max(posts[n]['t_ack'] for n in burst if n in posts))
        last_ready = max((tl.mimg.get(n, {}).get('ready') or 0) for n in burst)
        first_post = min(posts[n]['t_post'] for n in burst if n in posts)
        nready = sum(1 for n in burst if tl.mimg.get(n, {}).get('ready'))
        npods = {}
        for t, pn, owner in tl.pods_added:
            if owner in burst:
                npods.setdefault(owner, set()).add(pn)
        multi = {k: v for k, v in npods.items() if len(v) > 1}
        P(f"### 3. {len(burst)} resources created at once (keepFinishedPods={env.get('KEEP')}, {env.get('PARALLEL')} parallel POSTs)")
        P()
        rows = [(lab, fmt(pct(v, 50)), fmt(pct(v, 95)), fmt(max([x for x in v if x is not None], default=None)))
                for lab, v in (('create (POST) → builder pod created', c2p), ('pod Succeeded → status Ready', f2r),
                               ('create → Ready', a2r))]
        P(table(rows, ['figure', 'p50', 'p95', 'max']))
        P()
        span = d(first_post, last_ready) if nready == len(burst) else None
        P(f"POSTs took {fmt(post_span)} in all; {nready}/{len(burst)} Ready; "
          + (f"all Ready {fmt(span)} after the first POST (throughput {len(burst) / span:.2f} builds/s); " if span
             else "NOT all Ready when the run ended; ") +
          f"resources with more than one builder pod: {len(multi)}{' ' + str(sorted(multi)[:5]) if multi else ''}.")
        P()
    # ---- restart
    rp = os.path.join(dirp, 'restart.json')
    if os.path.exists(rp):
        r = json.load(open(rp))
        st = json.load(open(os.path.join(dirp, 'settle.json'))) if os.path.exists(os.path.join(dirp, 'settle.json')) else {}
        new_pods = [(t, pn, o) for t, pn, o in tl.pods_added if t >= r['t_delete']]
        jvm = st.get('extra', {}).get('process_start_time_seconds')
        P(f"### 4. Operator restart with {r['n_ready']} Ready resources in the watched namespace")
        P()
        rows = [
            ('builder pods created after the restart (watch ADDED; expect 0)', len(new_pods)),
            ('`minimalimage_builds_started_total` of the new operator (expect 0)', st.get('extra', {}).get('minimalimage_builds_started_total', '0 (never incremented: absent)' if st.get('sums') else '–')),
            ('manifest PUTs to /v2/bench/* in the registry log after the restart (expect 0)', r.get('puts_after', '–')),
            ('tags/digests in the registry changed (expect 0)', r.get('digests_changed', '–')),
            ('old pod delete → new pod created (watch)', fmt(d(r['t_delete'], r.get('t_newpod')))),
            ('new pod created → JVM start (`process_start_time_seconds`)', fmt(d(r.get('t_newpod'), jvm))),
            ('JVM start → first /q/metrics answer (client)', fmt(d(jvm, st.get('first_scrape_ok')))),
            ('**JVM start → settled** (last change of the reconcile counters; 0.5 s polls)', fmt(d(jvm, st.get('last_change')))),
            ('old pod delete → settled', fmt(d(r['t_delete'], st.get('last_change')))),
            ('reconciliations started after the restart (sum of counters)', st.get('sums', {}).get('operator_sdk_reconciliations_started_total', '–')),
            ('operator RSS after settling (VmRSS of the JVM, host /proc)', r.get('rss', '–')),
            ('operator RSS before the restart (same, old pod, after the burst)', r.get('rss_before', '–')),
        ]
        P(table(rows, ['figure', 'value']))
        P()
        if new_pods:
            P('Builder pods created after the restart: ' + ', '.join(f'{pn} ({o})' for _, pn, o in new_pods[:20]))
            P()
    notes = os.path.join(dirp, 'notes.txt')
    if os.path.exists(notes) and os.path.getsize(notes):
        P('Notes:')
        P()
        for l in open(notes):
            P(f'- {l.strip()}')
        P()


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    {'watch': cmd_watch, 'create': cmd_create, 'floor': cmd_floor, 'example': cmd_example, 'inline-file': cmd_inline_file, 'cpu-snap': cmd_cpu_snap, 'wait-ready': cmd_wait_ready, 'regbytes': cmd_regbytes,
     'settle': cmd_settle, 'digests': cmd_digests, 'report': cmd_report}[cmd](*args)
