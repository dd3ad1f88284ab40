package dev.minimalimage.result;

import java.util.List;

/** Size caps for text that must fit a termination message. */
final class Texts {

    private Texts() {
    }

    static String truncate(String text, int limit) {
        if (text == null || text.length() <= limit) {
            return text;
        }
        return text.substring(0, Math.max(0, limit - 14)) + "...(truncated)";
    }

    static <T> List<T> head(List<T> list, int max) {
        return list == null || list.size() <= max ? list : List.copyOf(list.subList(0, max));
    }

    static boolean isCapped(List<?> list, int max) {
        return list != null && list.size() > max;
    }
}
