package dev.minimalimage.elf;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds the parts of a statically linked glibc that still load files from the build host's glibc at runtime.
 * Facts measured with glibc 2.36 (Debian bookworm) that shape the rules:
 * <ul>
 * <li>Every static glibc binary already contains dlopen, dlsym and __gconv_open (pulled in by
 * rtld_static_init.o and by gettext), so their presence proves nothing; only NSS entry points, iconv_open
 * and shared-library name strings differ between a plain hello and a program using those features.</li>
 * <li>Stripped: "libnss_" (from "libnss_%s.so%s") and "/etc/nsswitch.conf" appear only once an NSS lookup
 * is linked (getaddrinfo, getpwuid, Rust's ToSocketAddrs); a plain static hello has neither.</li>
 * <li>dlopen("libm.so.6") leaves its argument as a whole NUL-terminated string; static glibc's own
 * library names (libc.so.6, libnss_*, libidn2.so.0, libgcc_s.so.1) are excluded, so a plain hello has none.
 * On glibc before 2.34 the dlopen symbol itself is evidence, as it was only linked on request.</li>
 * <li>Stripped binaries keep no trace of iconv_open (gconv strings are in every static glibc), so the
 * iconv hazard needs a symbol table. libstdc++ links iconv_open into every static C++ program.</li>
 * </ul>
 */
final class HazardDetector {

    /** glibc functions that go through NSS (their static use triggers glibc's link-time warning). */
    static final Set<String> NSS_FUNCTIONS = Set.of("getaddrinfo", "getnameinfo", "gethostbyname",
            "gethostbyname_r", "gethostbyname2", "gethostbyname2_r", "gethostbyaddr", "gethostbyaddr_r",
            "gethostent", "gethostent_r", "getservbyname", "getservbyname_r", "getservbyport", "getservbyport_r",
            "getservent", "getprotobyname", "getprotobyname_r", "getprotobynumber", "getprotobynumber_r",
            "getnetbyname", "getnetbyaddr", "getpwnam", "getpwnam_r", "getpwuid", "getpwuid_r", "getpwent",
            "getpwent_r", "getspnam", "getspnam_r", "getgrnam", "getgrnam_r", "getgrgid", "getgrgid_r", "getgrent",
            "getgrent_r", "getgrouplist", "initgroups", "getlogin", "getlogin_r", "cuserid", "getnetgrent",
            "innetgr", "setnetgrent", "ether_hostton", "ether_ntohost", "getaliasbyname", "getrpcbyname",
            "getrpcbynumber");
    static final String DLOPEN = "dlopen";
    /** Defined since glibc 2.34, where static dlopen support is always linked: dlopen then proves nothing. */
    static final String RTLD_STATIC_INIT = "__rtld_static_init";
    static final String ICONV_OPEN = "iconv_open";
    static final Set<String> SYMBOLS = Stream.concat(NSS_FUNCTIONS.stream(),
            Stream.of(DLOPEN, RTLD_STATIC_INIT, ICONV_OPEN)).collect(Collectors.toUnmodifiableSet());

    /** Library names glibc itself dlopen()s (NSS modules, IDN for getaddrinfo, the unwinder for cancellation). */
    private static final List<String> GLIBC_INTERNAL_LIBRARIES = List.of("libc.so", "libnss_", "libidn2.so",
            "libgcc_s.so");

    private HazardDetector() {
    }

    static List<Hazard> detect(StaticEvidence e) {
        List<Hazard> hazards = new ArrayList<>();
        nss(e, hazards);
        dlopen(e, hazards);
        iconv(e, hazards);
        return hazards;
    }

    private static void nss(StaticEvidence e, List<Hazard> hazards) {
        List<String> evidence = new ArrayList<>();
        NSS_FUNCTIONS.stream().filter(e::hasSymbol).sorted().forEach(s -> evidence.add("symbol " + s));
        if (e.hasMarker(StaticEvidence.NSS_MODULE_PREFIX)) {
            evidence.add("string \"" + StaticEvidence.NSS_MODULE_PREFIX + "\"");
        }
        if (evidence.isEmpty()) {
            return;
        }
        if (e.hasMarker(StaticEvidence.NSS_CONFIG)) {
            evidence.add("string \"" + StaticEvidence.NSS_CONFIG + "\"");
        }
        hazards.add(new Hazard("nss", evidence, "user, group or host lookups in statically linked glibc load "
                + "libnss_*.so from the glibc version used for linking at runtime; on scratch they fail or "
                + "fall back to /etc files that are not there"));
    }

    private static void dlopen(StaticEvidence e, List<Hazard> hazards) {
        List<String> evidence = new ArrayList<>();
        if (e.hasSymbol(DLOPEN) && !e.hasSymbol(RTLD_STATIC_INIT)) {
            evidence.add("symbol dlopen (glibc before 2.34 links it only when called)");
        }
        e.libraryNames().stream().filter(HazardDetector::isForeignLibrary)
                .forEach(name -> evidence.add("library name \"" + name + "\""));
        if (!evidence.isEmpty()) {
            hazards.add(new Hazard("dlopen", evidence, "dlopen() in statically linked glibc needs the named "
                    + "shared libraries and the exact glibc version used for linking at runtime; scratch has none"));
        }
    }

    private static boolean isForeignLibrary(String name) {
        return GLIBC_INTERNAL_LIBRARIES.stream().noneMatch(name::startsWith);
    }

    private static void iconv(StaticEvidence e, List<Hazard> hazards) {
        if (e.hasSymbol(ICONV_OPEN)) {
            hazards.add(new Hazard("iconv", List.of("symbol " + ICONV_OPEN), "iconv_open() in statically linked "
                    + "glibc loads gconv modules (gconv-modules, *.so) for charsets beyond UTF-8/ASCII/UCS at "
                    + "runtime; scratch has none (libstdc++ links it for named locales, harmless if unused)"));
        }
    }
}
