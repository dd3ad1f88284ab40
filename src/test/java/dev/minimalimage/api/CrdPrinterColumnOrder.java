package dev.minimalimage.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;

/**
 * Puts the generated CRD's printer columns in the order the model declares them. The Fabric8 CRD generator sorts
 * them by JSON path (no ordering option: fabric8io/kubernetes-client#7454), which would make `kubectl get mimg`
 * print AGE SIZE REASON READY STATIC DIGEST. {@link CrdPostProcessing} applies it in the build right after the
 * generator; a line-based edit of the generator's fixed layout, so everything else stays byte-for-byte what the
 * generator wrote.
 */
public final class CrdPrinterColumnOrder {

    private CrdPrinterColumnOrder() {
    }

    static List<String> declaredOrder() {
        return Arrays.stream(MinimalImage.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name).toList();
    }

    /** Reorders every additionalPrinterColumns list of the YAML text by column name, as {@code order} lists them. */
    static String reorder(String yaml, List<String> order) {
        List<String> lines = new ArrayList<>(List.of(yaml.split("\n", -1)));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().endsWith("additionalPrinterColumns:") && i + 1 < lines.size()) {
                reorderList(lines, i + 1, order);
            }
        }
        return String.join("\n", lines);
    }

    private static void reorderList(List<String> lines, int start, List<String> order) {
        String itemPrefix = lines.get(start).substring(0, lines.get(start).indexOf("- ") + 2);
        String continuation = " ".repeat(itemPrefix.length());
        List<List<String>> items = new ArrayList<>();
        int end = start;
        while (end < lines.size() && (lines.get(end).startsWith(itemPrefix)
                || (!items.isEmpty() && lines.get(end).startsWith(continuation)))) {
            if (lines.get(end).startsWith(itemPrefix)) {
                items.add(new ArrayList<>());
            }
            items.get(items.size() - 1).add(lines.get(end));
            end++;
        }
        items.sort(Comparator.comparingInt(item -> rank(item, order, continuation)));
        List<String> sorted = items.stream().flatMap(List::stream).toList();
        for (int i = 0; i < sorted.size(); i++) {
            lines.set(start + i, sorted.get(i));
        }
    }

    private static int rank(List<String> item, List<String> order, String continuation) {
        for (String line : item) {
            String field = line.substring(continuation.length());
            if (field.startsWith("name: ")) {
                int at = order.indexOf(field.substring("name: ".length()).replace("\"", ""));
                return at < 0 ? order.size() : at;
            }
        }
        return order.size();
    }
}
