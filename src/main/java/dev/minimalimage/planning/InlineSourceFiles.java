package dev.minimalimage.planning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import io.fabric8.kubernetes.api.model.KeyToPath;

/**
 * Inline files live in a ConfigMap, whose keys may not contain '/'. Each file gets the key f0, f1, ... in path
 * order, and the volume's items put it back at its path (subdirectories included).
 */
public final class InlineSourceFiles {

    private InlineSourceFiles() {
    }

    public static Map<String, String> configMapData(SortedMap<String, String> files) {
        Map<String, String> data = new LinkedHashMap<>();
        int i = 0;
        for (String content : files.values()) {
            data.put(key(i++), content);
        }
        return data;
    }

    static List<KeyToPath> items(SortedMap<String, String> files) {
        List<KeyToPath> items = new ArrayList<>();
        int i = 0;
        for (String path : files.keySet()) {
            items.add(new KeyToPath(key(i++), null, path));
        }
        return items;
    }

    private static String key(int index) {
        return "f" + index;
    }
}
