#!/usr/bin/env python3
"""
Completes package-lock.json with the optional platform packages npm left out.

The registry this project is developed against lacks some platform builds at current
versions (e.g. @biomejs/cli-darwin-arm64 2.6.8), so npm omits their lock entries and
`npm ci` then refuses the lock as out of sync. Packages for another OS/CPU are never
fetched; npm ci only needs their entries (version, os, cpu, libc) to skip them. Run it
after every `npm install` that changes dependencies:  python3 .ci/complete-lock.py package-lock.json
"""
import json, re, subprocess, sys
lock_path = sys.argv[1]
lock = json.load(open(lock_path))
pkgs = lock['packages']
OS = {'darwin': 'darwin', 'win32': 'win32', 'linux': 'linux', 'android': 'android', 'freebsd': 'freebsd'}
CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64']
added = []
for path, meta in list(pkgs.items()):
    for dep, spec in (meta.get('optionalDependencies') or {}).items():
        base = path + '/node_modules/' + dep if path else 'node_modules/' + dep
        top = 'node_modules/' + dep
        if base in pkgs or top in pkgs:
            continue
        name = dep.split('/')[-1]
        os_ = next((OS[k] for k in OS if f'-{k}-' in name or name.endswith(f'-{k}')), None)
        cpu = next((c for c in CPU if re.search(rf'-{c}(-|$)', name)), None)
        if cpu is None and 'arm-gnueabihf' in name: cpu = 'arm'
        if os_ is None or cpu is None or os_ == 'linux' and '-musl' not in name and '-gnu' not in name and cpu == 'x64':
            print('skip', dep, file=sys.stderr); continue
        entry = {'version': spec, 'cpu': [cpu], 'os': [os_], 'optional': True}
        if meta.get('dev'): entry['dev'] = True
        if meta.get('peer'): entry['peer'] = True
        if '-musl' in name: entry['libc'] = ['musl']
        elif os_ == 'linux' and ('-gnu' in name): entry['libc'] = ['glibc']
        pkgs[top] = entry
        added.append(dep)
json.dump(lock, open(lock_path, 'w'), indent=2)
open(lock_path, 'a').write('\n')
print('added', len(added), ' '.join(added))
