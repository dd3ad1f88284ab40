package dev.minimalimage.image.closure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class BundleEnvironmentTest {

    private static Bundle bundle(String... libraryPath) {
        return new Bundle(new TreeMap<>(), false, null, 0, List.of(libraryPath));
    }

    @Test
    void librariesInTheLoadersDefaultDirectoriesLeaveTheEnvironmentAlone() {
        List<String> env = List.of("A=1");
        assertThat(bundle().environment(env)).isSameAs(env);
    }

    @Test
    void configuredDirectoriesAreAddedInSearchOrder() {
        assertThat(bundle("/usr/local/lib", "/opt/vendor/lib").environment(List.of("A=1")))
                .containsExactly("A=1", "LD_LIBRARY_PATH=/usr/local/lib:/opt/vendor/lib");
    }

    @Test
    void theUsersOwnLibraryPathComesFirstAndIsKept() {
        assertThat(bundle("/usr/local/lib").environment(List.of("LD_LIBRARY_PATH=/plugins", "B=2")))
                .containsExactly("LD_LIBRARY_PATH=/plugins:/usr/local/lib", "B=2");
        assertThat(bundle("/usr/local/lib").environment(List.of("LD_LIBRARY_PATH=")))
                .containsExactly("LD_LIBRARY_PATH=/usr/local/lib");
    }
}
