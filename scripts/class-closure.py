#!/usr/bin/env python3
"""The classes a program can load, found statically, so that scripts/image.sh can leave the others out of the builder
image (jar entries) and out of its jlink runtime (JDK classes).

    class-closure.py --roots FILE --jdk DIR --jar JAR... --drop-jar-entries OUT --drop-jdk-classes OUT

A class is kept when it is a root, or when a kept class within --depth references of a root names it anywhere in
its constant pool: as a class reference, inside a field or method descriptor or generic signature, or as a string in
internal (a/b/C) or binary (a.b.C) form, which is how Class.forName, ServiceLoader's provider-configuration files,
JCA provider registrations and annotation values name classes. Whatever the depth, a kept class also keeps its
supertypes (the JVM cannot define it without them), its nested classes (its implementation), and, for a service
interface, its providers; --keep-throwables adds the exceptions of every package kept; and a JDK package keeps at
least one class (jlink refuses a module that exports an empty package). Deliberately more than the JVM resolves: a
class named only in a string it never loads costs a few bytes; a class left out that a path loads costs a
NoClassDefFoundError. A class built from pieces of strings at run time is not seen: the roots must name those
(scripts/image.sh's come from what a training run loaded). Non-class files (resources) are not judged here.
Multi-release jars: META-INF/versions/N/X.class is kept with X.

--roots: one class per line, internal or binary form; `prefix/**` keeps a whole package tree, `!prefix/**` takes a
part of such a tree out again (its classes are then kept only when named).
--jdk: the jlink runtime's classes as `jimage extract` writes them (DIR/<module>/<path>.class).
Output: for each jar, `jar<TAB>entry` lines of class entries to drop; for the JDK, `/module/path.class` lines (the
form of jlink's --exclude-resources). A summary goes to stderr.
"""
import argparse
import os
import struct
import sys
import zipfile

VERSIONED = 'META-INF/versions/'


def constant_pool_strings(data):
    """Every Utf8 constant of a class file: class names, descriptors, signatures and string literals are all Utf8."""
    if data[:4] != b'\xca\xfe\xba\xbe':
        return []
    count = struct.unpack_from('>H', data, 8)[0]
    pos, index, strings = 10, 1, []
    while index < count:
        tag = data[pos]
        if tag == 1:
            length = struct.unpack_from('>H', data, pos + 1)[0]
            strings.append(data[pos + 3:pos + 3 + length].decode('utf-8', 'replace'))
            pos += 3 + length
        elif tag in (3, 4):
            pos += 5
        elif tag in (5, 6):
            pos += 9
            index += 1  # longs and doubles take two slots
        elif tag in (7, 8, 16, 19, 20):
            pos += 3
        elif tag in (9, 10, 11, 12, 17, 18):
            pos += 5
        elif tag == 15:
            pos += 4
        else:
            raise ValueError(f'unknown constant pool tag {tag} at offset {pos}')
        index += 1
    return strings


def supertypes(data):
    """The internal names of a class file's superclass and interfaces (none for java/lang/Object): the classes the
    JVM loads to define it."""
    if data[:4] != b'\xca\xfe\xba\xbe':
        return []
    count = struct.unpack_from('>H', data, 8)[0]
    pos, index, utf8, classes = 10, 1, {}, {}
    while index < count:
        tag = data[pos]
        if tag == 1:
            length = struct.unpack_from('>H', data, pos + 1)[0]
            utf8[index] = data[pos + 3:pos + 3 + length].decode('utf-8', 'replace')
            pos += 3 + length
        elif tag == 7:
            classes[index] = struct.unpack_from('>H', data, pos + 1)[0]
            pos += 3
        else:
            pos += {3: 5, 4: 5, 5: 9, 6: 9, 8: 3, 16: 3, 19: 3, 20: 3, 15: 4}.get(tag, 5)
            index += 1 if tag in (5, 6) else 0
        index += 1
    super_index, interface_count = struct.unpack_from('>HH', data, pos + 4)
    indexes = ([super_index] if super_index else []) + list(struct.unpack_from(f'>{interface_count}H', data, pos + 8))
    return [utf8[classes[i]] for i in indexes]


def names_in(text):
    """Candidate internal class names in one constant: the text itself (a class reference, or a binary name turned
    internal) and every `Lname;` / `Lname<` of a descriptor or signature."""
    yield text
    if '.' in text:
        yield text.replace('.', '/')
    start = text.find('L')
    while start != -1:
        end = start + 1
        while end < len(text) and text[end] not in ';<':
            end += 1
        if end < len(text):
            name = text[start + 1:end]
            yield name
            if '.' in name:  # a signature's inner class: Lp/Outer<TT;>.Inner;
                yield name.replace('.', '$')
        start = text.find('L', start + 1)


class ClassSpace:
    def __init__(self):
        self.readers = {}   # internal name -> list of callables returning bytes (base and versioned variants)
        self.origins = {}   # internal name -> list of (container, entry)
        self.services = {}  # service interface (internal) -> provider names (internal)

    def add(self, name, container, entry, read):
        self.readers.setdefault(name, []).append(read)
        self.origins.setdefault(name, []).append((container, entry))

    def add_services(self, interface, text):
        providers = self.services.setdefault(interface.replace('.', '/'), set())
        for line in text.splitlines():
            line = line.split('#', 1)[0].strip()
            if line:
                providers.add(line.replace('.', '/'))

    def add_jar(self, path):
        archive = zipfile.ZipFile(path)
        for entry in archive.namelist():
            if entry.endswith('.class') and not entry.endswith('module-info.class'):
                name = entry[:-len('.class')]
                if name.startswith(VERSIONED):
                    name = name.split('/', 3)[3]
                self.add(name, path, entry, lambda e=entry: archive.read(e))
            elif entry.startswith('META-INF/services/') and not entry.endswith('/'):
                self.add_services(entry[len('META-INF/services/'):], archive.read(entry).decode('utf-8', 'replace'))

    def add_jdk(self, root):
        for module in sorted(os.listdir(root)):
            base = os.path.join(root, module)
            for directory, _, files in os.walk(base):
                for file in files:
                    if file.endswith('.class') and file != 'module-info.class':
                        full = os.path.join(directory, file)
                        name = os.path.relpath(full, base)[:-len('.class')]
                        self.add(name, 'jdk', f'/{module}/{name}.class', lambda f=full: open(f, 'rb').read())

    def package_keepers(self, kept):
        """One class (the smallest) of every JDK package that would lose all its classes: jlink refuses a runtime
        whose module exports or opens a package it holds no class of."""
        by_package = {}
        for name, origins in self.origins.items():
            if origins[0][0] == 'jdk':
                module = origins[0][1].split('/')[1]
                by_package.setdefault((module, name.rpartition('/')[0]), []).append(name)
        keepers = set()
        for names in by_package.values():
            if not any(name in kept for name in names):
                keepers.add(min(names, key=lambda name: (len(self.readers[name][0]()), name)))
        return keepers

    def throwables(self):
        """Every class whose superclass chain reaches java/lang/Throwable."""
        parents = {name: next(iter(supertypes(reads[0]())), None) for name, reads in self.readers.items()}
        found = {'java/lang/Throwable'}

        def is_throwable(name, seen=()):
            while name and name not in found:
                name = parents.get(name)
            return name is not None

        return {name for name in parents if is_throwable(name)}

    def closure(self, roots, package_roots, depth, package_exceptions=()):
        """The roots and the classes they name, `depth` references deep (None: to the end)."""
        kept = set()
        level = []
        nested = {}
        for name in self.readers:
            outer, dollar, _ = name.partition('$')
            if dollar:
                nested.setdefault(outer, []).append(name)

        def keep(name, into):
            if name in self.readers and name not in kept:
                kept.add(name)
                if into is not None:
                    into.append(name)
                # its superclass and interfaces whatever the depth, without what they name (a class the training
                # loaded brought its supertypes into the roots): without them it cannot even be defined
                for supertype in supertypes(self.readers[name][0]()):
                    keep(supertype, None)
                # a class's nested classes with it: they are its implementation (a factory method's products, a
                # switch's map, a lambda's holder), and a path through the class reaches them a reference further
                for inner in nested.get(name.partition('$')[0], ()):
                    keep(inner, into)

        for name in self.readers:
            if name in roots or (any(name.startswith(prefix) for prefix in package_roots)
                                 and not any(name.startswith(prefix) for prefix in package_exceptions)):
                keep(name, level)
        step = 0
        while level and (depth is None or step < depth):
            next_level = []
            for name in level:
                for provider in self.services.get(name, ()):  # a kept service interface: its providers may be loaded
                    keep(provider, next_level)
                for read in self.readers[name]:
                    for text in constant_pool_strings(read()):
                        for candidate in names_in(text):
                            keep(candidate, next_level)
            level, step = next_level, step + 1
        return kept


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--roots', required=True)
    parser.add_argument('--jdk', required=True)
    parser.add_argument('--jar', nargs='+', required=True)
    parser.add_argument('--drop-jar-entries', required=True)
    parser.add_argument('--drop-jdk-classes', required=True)
    parser.add_argument('--depth', type=int, help='how many references deep from the roots (default: all)')
    parser.add_argument('--keep-throwables', choices=('jdk', 'all'), help='keep the exception classes of every'
                        ' package kept (of the JDK\'s only, or of all): an error path must be able to throw the'
                        ' exception it names')
    options = parser.parse_args()

    space = ClassSpace()
    for jar in options.jar:
        space.add_jar(jar)
    space.add_jdk(options.jdk)
    roots, package_roots, package_exceptions = set(), [], []
    with open(options.roots) as lines:
        for line in lines:
            line = line.strip().replace('.', '/')
            if line.startswith('!') and line.endswith('/**'):
                package_exceptions.append(line[1:-2])
            elif line.endswith('/**'):
                package_roots.append(line[:-2])
            elif line:
                roots.add(line)
    kept = space.closure(roots, package_roots, options.depth, package_exceptions)
    if options.keep_throwables:  # a second pass: the exceptions of every package the first one kept a class of
        packages = {name.rpartition('/')[0] for name in kept}
        throwables = {name for name in space.throwables() if name.rpartition('/')[0] in packages
                      and (options.keep_throwables == 'all' or space.origins[name][0][0] == 'jdk')} - kept
        kept |= space.closure(throwables, [], options.depth)
    kept |= space.package_keepers(kept)

    dropped = {False: 0, True: 0}  # by whether the entry is the JDK's
    with open(options.drop_jar_entries, 'w') as jar_out, open(options.drop_jdk_classes, 'w') as jdk_out:
        for name in sorted(space.origins):
            if name in kept:
                continue
            for container, entry in space.origins[name]:
                if container == 'jdk':
                    jdk_out.write(entry + '\n')
                else:
                    jar_out.write(f'{container}\t{entry}\n')
                dropped[container == 'jdk'] += 1
    total = len(space.origins)
    print(f'class-closure: {len(kept)} of {total} classes kept; dropped {dropped[False]} jar entries, '
          f'{dropped[True]} JDK classes', file=sys.stderr)


if __name__ == '__main__':
    main()
