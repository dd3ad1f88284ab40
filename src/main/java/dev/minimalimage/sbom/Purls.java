package dev.minimalimage.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import com.github.packageurl.PackageURLBuilder;
import java.util.Map;

/** Package URLs built by the purl library, so that escaping (e.g. "libstdc++") is the spec's, not ours. */
final class Purls {

    private Purls() {
    }

    /** pkg:golang/PATH@VERSION: the module path's segments become namespace and name, as the purl spec asks. */
    static String golang(String modulePath, String version) {
        int slash = modulePath.lastIndexOf('/');
        String namespace = slash < 0 ? null : modulePath.substring(0, slash);
        return build(PackageURL.StandardTypes.GOLANG, namespace, modulePath.substring(slash + 1), version, Map.of());
    }

    static String cargo(String name, String version) {
        return build(PackageURL.StandardTypes.CARGO, null, name, version, Map.of());
    }

    static String deb(String name, String version, String architecture) {
        return build(PackageURL.StandardTypes.DEBIAN, "debian", name, version,
                architecture.isEmpty() ? Map.of() : Map.of("arch", architecture));
    }

    static String generic(String name, String version) {
        return build(PackageURL.StandardTypes.GENERIC, null, name, version, Map.of());
    }

    private static String build(String type, String namespace, String name, String version,
            Map<String, String> qualifiers) {
        try {
            PackageURLBuilder builder = PackageURLBuilder.aPackageURL().withType(type).withNamespace(namespace)
                    .withName(name).withVersion(version);
            qualifiers.forEach(builder::withQualifier);
            return builder.build().canonicalize();
        } catch (MalformedPackageURLException e) {
            throw new IllegalArgumentException("cannot make a purl of " + type + " " + name + "@" + version + ": "
                    + e.getMessage(), e);
        }
    }
}
