package dev.minimalimage.elf;

import java.util.List;
import java.util.Set;

/**
 * What bundling a dynamic program's libraries needs to know about one ELF file beyond its DT_NEEDED entries.
 *
 * @param dlopenMetadata     the JSON texts of its FDO dlopen notes (.note.dlopen, note type 0x407c0c0a), unparsed
 * @param nameServiceImports glibc NSS entry points it imports (getaddrinfo, getpwnam, ...): it will read
 *                           /etc/nsswitch.conf and maybe load libnss_* modules
 * @param versionDefinitions the symbol versions it defines (GLIBC_2.36 in a glibc 2.36 libc.so.6)
 */
public record BundleHints(List<String> dlopenMetadata, Set<String> nameServiceImports,
        List<String> versionDefinitions) {

    public BundleHints {
        dlopenMetadata = List.copyOf(dlopenMetadata);
        nameServiceImports = Set.copyOf(nameServiceImports);
        versionDefinitions = List.copyOf(versionDefinitions);
    }
}
